package hubsim

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// infoOrder is the key order of GET /api/models/{id} (reference §2), with
// gguf placed after safetensors.
var infoOrder = []string{"_id", "id", "private", "pipeline_tag", "library_name", "tags", "downloads", "likes",
	"modelId", "author", "sha", "lastModified", "gated", "disabled", "config", "cardData", "transformersInfo",
	"siblings", "spaces", "createdAt", "safetensors", "gguf", "usedStorage"}

// expandable lists the properties expand= accepts (huggingface_hub's
// ExpandModelProperty_T), in the order they are written. Those hubsim does
// not model are accepted and left out of the answer.
var expandable = append(slices.Clone(infoOrder), "downloadsAllTime", "trendingScore", "xetEnabled",
	"baseModels", "childrenModelCount", "evalResults", "inference", "inferenceProviderMapping", "mask_token",
	"model-index", "resourceGroup", "widgetData")

// modelView computes the properties of a repo at a commit on demand: the
// cheap ones for search results, all of them for model info.
type modelView struct {
	idx   *catalogIndex
	re    *repoEntry
	c     *commitEntry
	blobs bool // siblings with size, blobId and lfs
}

// object returns the properties named by keys that the repo has, in the
// order of keys.
func (v *modelView) object(keys []string) (jsonObject, error) {
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

func (v *modelView) prop(name string) (any, bool, error) {
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
		return false, true, nil
	case "spaces":
		return []string{}, true, nil
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
	case "usedStorage":
		n, err := v.usedStorage()
		return n, true, err
	}
	return nil, false, nil
}

// expandParams returns the expand= values (also expand[]= and
// comma-separated lists), or an error naming an unknown one.
func expandParams(q url.Values) ([]string, error) {
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
func expandKeys(expand []string) []string {
	keys := []string{"_id", "id"}
	for _, k := range expandable {
		if k != "_id" && k != "id" && slices.Contains(expand, k) {
			keys = append(keys, k)
		}
	}
	return keys
}
