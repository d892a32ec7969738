package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/gateway"
)

// The file cache is per replica: a directory only the running gateway
// opens (it holds its lock). So `hfgate admin cache` asks a running
// replica through its admin API, as a signed-in admin of the gateway.

func (a *app) adminCacheCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cache",
		Short: "See, warm and empty a running gateway's file cache",
		Long: `Commands for the file cache of a running gateway replica ([cache] dir of its
config). Each replica keeps its own cache, which only its process opens, so these
commands ask the replica through its admin API: at --gateway URL (default: the
config's [server] public_url), with your gateway token (HF_TOKEN, or the token
stored by "hfgate login --endpoint URL"). You must be an admin of the gateway
([admins] of its config). Behind a load balancer, give each replica's own URL.`,
		Example: `  hfgate admin cache stats --gateway https://hf.example.com
  hfgate admin cache ls --json
  hfgate admin cache warm Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF --include '*q4_k_m.gguf'
  hfgate admin cache rm --repo Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.PersistentFlags().StringVar(&a.cacheGatewayFlag, "gateway", "", "the replica's URL (default: [server] public_url of --config)")
	cmd.AddCommand(a.adminCacheStatsCmd(), a.adminCacheLsCmd(), a.adminCacheRmCmd(), a.adminCacheWarmCmd())
	return cmd
}

// cacheGateway returns the URL of the replica the cache commands ask.
func (a *app) cacheGateway() (string, error) {
	u := a.cacheGatewayFlag
	if u == "" {
		cfg, err := a.gatewayCfg()
		if err != nil {
			return "", err
		}
		u = cfg.Server.PublicURL
	}
	if u == "" {
		return "", hfgate.Errorf(hfgate.EINVALID, "which gateway? give --gateway URL, or a config (--config) with [server] public_url")
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return "", hfgate.Errorf(hfgate.EINVALID, "--gateway %q is not an http(s) URL", u)
	}
	a.endpointFlag = strings.TrimRight(u, "/") // the token stored for it
	return a.endpointFlag, nil
}

// adminAPI calls the replica's admin API: body (if not nil) as JSON, the
// answer decoded into out. Errors carry the gateway's code and message.
func (a *app) adminAPI(ctx context.Context, method, path string, body, out any) error {
	base, err := a.cacheGateway()
	if err != nil {
		return err
	}
	tok, err := a.tokens().Token(ctx)
	if err != nil {
		return err
	}
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, rd)
	if err != nil {
		return hfgate.WrapError(hfgate.EINVALID, err, "cannot make a request to %s", base)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "hfgate/"+version())
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		return hfgate.WrapError(hfgate.EUNAVAILABLE, err, "cannot reach the gateway at %s", base)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		code := resp.Header.Get("X-Error-Code")
		if code == "" {
			code = hfgate.EUNAVAILABLE
		}
		msg := resp.Header.Get("X-Error-Message")
		if msg == "" {
			msg = "the gateway answered " + resp.Status
		}
		return hfgate.Errorf(code, "%s", msg)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(out); err != nil {
		return hfgate.WrapError(hfgate.EUNAVAILABLE, err, "the gateway's answer is not the JSON expected")
	}
	return nil
}

type cacheListing struct {
	Stats   gateway.CacheStats   `json:"stats"`
	Entries []gateway.CacheEntry `json:"entries"`
}

func (a *app) adminCacheStatsCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "stats [--json]",
		Short: "Show the cache's size, hit ratio, bytes saved, fills and evictions",
		Long: `Show a replica's file cache: its size against [cache] max_size, the blobs it
holds, and since the replica started: opens that found the file (hits), joined a
running fill (joins) or started one (misses), bytes served, fetched from the Hub and
saved, fills done and failed, evictions and integrity failures.`,
		Example: `  hfgate admin cache stats --gateway https://hf.example.com
  hfgate admin cache stats --config gateway.toml --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var l cacheListing
			if err := a.adminAPI(cmd.Context(), http.MethodGet, "/admin/api/cache?largest=1", nil, &l); err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.io.Out, l.Stats)
			}
			s := l.Stats
			limit := "no limit"
			if s.MaxSize > 0 {
				limit = "of " + humanBytes(s.MaxSize)
			}
			t := newTable(a.io.Out)
			t.Row("size", humanBytes(s.Size)+" "+limit)
			t.Row("blobs", itoa(int64(s.Blobs))+" complete, "+itoa(int64(s.Partial))+" partial, "+itoa(int64(s.Fills))+" filling")
			t.Row("opens", itoa(s.Hits)+" hits, "+itoa(s.Joins)+" joins, "+itoa(s.Misses)+" misses")
			t.Row("hit ratio", formatRatio(s.HitRatio))
			t.Row("bytes", humanBytes(s.BytesServed)+" served, "+humanBytes(s.BytesUpstream)+" from the Hub, "+humanBytes(s.BytesSaved)+" saved")
			t.Row("fills", itoa(s.FillsDone)+" done, "+itoa(s.FillsFailed)+" failed, "+itoa(s.Integrity)+" integrity failures")
			t.Row("evictions", itoa(s.Evictions)+" ("+humanBytes(s.EvictedBytes)+")")
			t.Row("metadata", itoa(int64(s.Revisions))+" revisions, "+itoa(int64(s.Docs))+" documents")
			return t.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the figures as JSON")
	return cmd
}

func (a *app) adminCacheLsCmd() *cobra.Command {
	var asJSON bool
	var largest int
	cmd := &cobra.Command{
		Use:   "ls [--largest N] [--json]",
		Short: "List the files a replica's cache holds",
		Long: `List the blobs of a replica's file cache: key (sha256 or git sha1), repo, commit,
path (of the first file stored under it), size, whether it is complete (verified)
or still being filled, and when it was last used; --largest N lists the N largest.`,
		Example: `  hfgate admin cache ls --gateway https://hf.example.com
  hfgate admin cache ls --largest 10 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			path := "/admin/api/cache"
			if largest > 0 {
				path += "?largest=" + itoa(int64(largest))
			}
			var l cacheListing
			if err := a.adminAPI(cmd.Context(), http.MethodGet, path, nil, &l); err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.io.Out, l.Entries)
			}
			t := newTable(a.io.Out, "KEY", "REPO", "PATH", "SIZE", "STATE", "LAST USED")
			for _, e := range l.Entries {
				state := "complete"
				if !e.Complete {
					state = "partial " + formatRatio(float64(e.Filled)/float64(max(e.Size, 1)))
				}
				t.Row(e.Key, e.Repo, e.Path, humanBytes(e.Size), state, e.LastUsed.Local().Format(time.DateTime))
			}
			return t.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the entries as JSON")
	cmd.Flags().IntVar(&largest, "largest", 0, "list only the N largest")
	return cmd
}

func (a *app) adminCacheRmCmd() *cobra.Command {
	var asJSON bool
	var repo string
	cmd := &cobra.Command{
		Use:   "rm KEY... | --repo REPO [--json]",
		Short: "Remove files from a replica's cache",
		Long: `Remove blobs from a replica's file cache, by key (as "hfgate admin cache ls" shows)
or every file of a repo (--repo). A blob a client is reading goes once it is done.
The next download fetches it from the Hub again. The removal is audited.`,
		Example: `  hfgate admin cache rm 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
  hfgate admin cache rm --repo Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF --json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if (len(args) == 0) == (repo == "") {
				return hfgate.Errorf(hfgate.EINVALID, "give the keys to remove, or --repo, not both")
			}
			var out struct {
				Removed []gateway.CacheEntry `json:"removed"`
			}
			if err := a.adminAPI(cmd.Context(), http.MethodPost, "/admin/api/cache/rm", map[string]any{"keys": args, "repo": repo}, &out); err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.io.Out, out.Removed)
			}
			var n int64
			for _, e := range out.Removed {
				n += e.Size
			}
			_, err := fmt.Fprintf(a.io.Out, "removed %d files (%s)\n", len(out.Removed), humanBytes(n))
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the removed entries as JSON")
	cmd.Flags().StringVar(&repo, "repo", "", "remove every file of this repo (owner/name)")
	return cmd
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func formatRatio(r float64) string { return strconv.FormatFloat(100*r, 'f', 1, 64) + "%" }
