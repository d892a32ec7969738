package hubsim

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/hfgate/hfgate"
)

// repoKeys are the key orders of one repo type's JSON: info (GET
// /api/TYPE/{id}, reference §2 for models; UNVERIFIED for datasets and
// Spaces), list (the default item of GET /api/TYPE, reference §1), full
// (what full=true adds to list items) and expandable (what expand=
// accepts, in the order written; the clients' Expand*Property_T lists plus
// gitalyUid, which @huggingface/hub asks for; those hubsim does not model
// are accepted and left out).
type repoKeys struct {
	info, list, full, expandable []string
}

var keysOf = map[hfgate.RepoType]*repoKeys{
	hfgate.RepoTypeModel: {
		info: []string{"_id", "id", "private", "pipeline_tag", "library_name", "tags", "downloads", "likes",
			"modelId", "author", "sha", "lastModified", "gated", "disabled", "config", "cardData", "transformersInfo",
			"siblings", "spaces", "createdAt", "safetensors", "gguf", "usedStorage"},
		list: []string{"_id", "id", "likes", "trendingScore", "private", "downloads", "tags",
			"pipeline_tag", "library_name", "createdAt", "modelId"},
		// UNVERIFIED: the exact set; huggingface_hub documents
		// lastModified, sha, siblings (rfilename only) and tags.
		full: []string{"author", "sha", "lastModified", "gated", "disabled", "siblings"},
	},
	hfgate.RepoTypeDataset: {
		info: []string{"_id", "id", "author", "sha", "lastModified", "private", "gated", "disabled", "tags",
			"citation", "description", "downloads", "likes", "cardData", "siblings", "createdAt", "usedStorage"},
		list: []string{"_id", "id", "author", "sha", "lastModified", "private", "gated", "disabled", "downloads",
			"likes", "trendingScore", "tags", "description", "createdAt"},
		full: []string{"cardData", "siblings"},
	},
	hfgate.RepoTypeSpace: {
		info: []string{"_id", "id", "author", "sha", "lastModified", "private", "gated", "disabled", "subdomain",
			"host", "likes", "sdk", "tags", "cardData", "runtime", "siblings", "createdAt", "usedStorage",
			"models", "datasets"},
		list: []string{"_id", "id", "author", "sha", "lastModified", "private", "likes", "trendingScore", "sdk",
			"tags", "createdAt"},
		full: []string{"cardData", "siblings"},
	},
}

func init() {
	more := map[hfgate.RepoType][]string{
		hfgate.RepoTypeModel: {"downloadsAllTime", "trendingScore", "xetEnabled", "baseModels", "childrenModelCount",
			"evalResults", "inference", "inferenceProviderMapping", "mask_token", "model-index", "resourceGroup",
			"widgetData", "gitalyUid"},
		hfgate.RepoTypeDataset: {"downloadsAllTime", "trendingScore", "paperswithcode_id", "xetEnabled",
			"resourceGroup", "gitalyUid"},
		hfgate.RepoTypeSpace: {"trendingScore", "xetEnabled", "resourceGroup", "gitalyUid"},
	}
	for t, k := range keysOf {
		k.expandable = append(slices.Clone(k.info), more[t]...)
	}
}

// repoView computes the properties of a repo at a commit on demand: the
// cheap ones for search results, all of them for repo info.
type repoView struct {
	s     *Server
	re    *repoEntry
	c     *commitEntry
	blobs bool // siblings with size, blobId and lfs
}

// object returns the properties named by keys that the repo has, in the
// order of keys.
func (v *repoView) object(keys []string) (jsonObject, error) {
	obj := make(jsonObject, 0, len(keys))
	for _, k := range keys {
		val, ok, err := v.prop(k)
		if err != nil {
			return nil, fmt.Errorf("%s of %s: %w", k, v.re.ID, err)
		}
		if ok {
			obj = append(obj, jsonField{k, val})
		}
	}
	return obj, nil
}

func (v *repoView) prop(name string) (any, bool, error) {
	re := v.re
	switch name {
	case "_id":
		return re.objectID, true, nil
	case "id", "modelId":
		return re.ID, true, nil
	case "author":
		return re.owner, re.owner != "", nil
	case "private":
		return re.Private, true, nil
	case "pipeline_tag":
		return re.PipelineTag, re.PipelineTag != "", nil
	case "library_name":
		return re.LibraryName, re.LibraryName != "", nil
	case "tags":
		return append([]string{}, re.Tags...), true, nil
	case "downloads":
		return re.Downloads, true, nil
	case "downloadsAllTime":
		return re.DownloadsAllTime, true, nil
	case "likes":
		return re.Likes, true, nil
	case "trendingScore":
		return re.TrendingScore, true, nil
	case "sha":
		return v.c.id, true, nil
	case "usedStorage":
		n, err := v.usedStorage()
		return n, true, err
	case "lastModified":
		return hubTime(v.c.date), true, nil
	case "createdAt":
		return hubTime(re.createdAt), true, nil
	case "gated":
		if re.Gated == "" {
			return false, true, nil
		}
		return re.Gated, true, nil
	case "disabled":
		return re.Disabled, true, nil
	case "xetEnabled":
		return re.Xet, true, nil
	case "spaces":
		return v.s.spacesUsing(re), true, nil
	case "citation":
		return re.Citation, re.Citation != "", nil
	case "description":
		return re.Description, re.Description != "", nil
	case "sdk":
		return re.SDK, re.SDK != "", nil
	case "subdomain", "host":
		sub := strings.NewReplacer("/", "-", ".", "-", "_", "-").Replace(strings.ToLower(re.ID))
		if name == "host" {
			return "https://" + sub + ".hf.space", true, nil
		}
		return sub, true, nil
	case "runtime":
		// huggingface_hub's SpaceRuntime reads stage, hardware.current and
		// .requested, gcTimeout and storage.
		return jsonObject{{"stage", "RUNNING"}, {"hardware", jsonObject{{"current", "cpu-basic"}, {"requested", "cpu-basic"}}},
			{"storage", nil}, {"gcTimeout", 172800}, {"replicas", jsonObject{{"current", 1}, {"requested", 1}}}}, true, nil
	case "models", "datasets":
		return cardList(re.CardData, name), true, nil
	case "securityRepoStatus":
		return v.securityRepoStatus(), true, nil
	case "cardData":
		return json.RawMessage(re.CardData), len(re.CardData) > 0, nil
	case "config":
		cfg, err := v.config()
		return cfg, cfg != nil, err
	case "transformersInfo":
		info := v.transformersInfo()
		return info, info != nil, nil
	case "siblings":
		s, err := v.siblings()
		return s, true, err
	case "safetensors":
		st := v.safetensors()
		return st, st != nil, nil
	case "gguf":
		g, err := v.gguf()
		return g, g != nil, err
	}
	return nil, false, nil
}

// expandParams returns the expand= values (also expand[]= and
// comma-separated lists), or an error naming one that repos of this type do
// not have.
func expandParams(q url.Values, typ hfgate.RepoType) ([]string, error) {
	expandable := keysOf[typ].expandable
	var out []string
	for _, v := range append(q["expand"], q["expand[]"]...) {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p == "" {
				continue
			}
			if !slices.Contains(expandable, p) {
				return nil, fmt.Errorf(`"expand" must be one of %s; %q is not`, strings.Join(expandable, ", "), p)
			}
			out = append(out, p)
		}
	}
	return out, nil
}

// expandKeys is _id, id and the expanded properties, in a stable order.
func expandKeys(expand []string, typ hfgate.RepoType) []string {
	keys := []string{"_id", "id"}
	for _, k := range keysOf[typ].expandable {
		if k != "_id" && k != "id" && slices.Contains(expand, k) {
			keys = append(keys, k)
		}
	}
	return keys
}
