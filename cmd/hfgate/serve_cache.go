package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/hfgate/hfgate/blobcache"
	"github.com/hfgate/hfgate/proxy"
)

// openCache opens the replica's file cache of [cache], or returns nil
// without a dir. It takes the directory's lock: one process at a time.
func openCache(ctx context.Context, c cacheConfig, logger *slog.Logger) (*blobcache.Cache, error) {
	if c.Dir == "" {
		return nil, nil
	}
	size, err := c.maxSize()
	if err != nil {
		return nil, err
	}
	return blobcache.Open(ctx, blobcache.Config{
		Dir: c.Dir, MaxSize: size, Logger: logger,
		Meta: blobcache.MetaConfig{RevisionTTL: time.Duration(c.RevisionTTL)},
	})
}

// cacheProxy sets the proxy's cache options of [cache].
func cacheProxy(pc *proxy.Config, cache *blobcache.Cache, c cacheConfig) {
	pc.Cache = cache
	pc.RightsTTL, pc.OfflineRights = time.Duration(c.RightsTTL), time.Duration(c.OfflineRights)
}

func closeCache(c *blobcache.Cache) {
	if c != nil {
		c.Close()
	}
}
