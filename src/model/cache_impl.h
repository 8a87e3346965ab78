/* SPDX-License-Identifier: MIT
 * model/cache_impl.h - cache state (owned by iotlb.c / ctx_cache.c). */
#ifndef RVIOMMU_MODEL_CACHE_IMPL_H
#define RVIOMMU_MODEL_CACHE_IMPL_H
struct rvm_caches {
	int placeholder_; /* replaced by the cache implementation */
};
#endif
