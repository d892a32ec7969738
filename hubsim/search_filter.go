package hubsim

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/hfgate/hfgate"
)

// searchFilter builds the predicate of a search request's filters: search
// (repeatable, every value a substring of the id), author, filter and
// library (tags, repeatable or comma-separated), pipeline_tag, gated, apps
// (models), and models and datasets (Spaces that use them).
func searchFilter(q url.Values, typ hfgate.RepoType) (func(*repoEntry) bool, error) {
	var gated *bool
	if v := q.Get("gated"); v != "" {
		g, err := parseBool("gated", v)
		if err != nil {
			return nil, err
		}
		gated = &g
	}
	apps := splitValues(q["apps"])
	for _, a := range apps {
		if appUses[a] == nil {
			return nil, fmt.Errorf(`"apps": hubsim knows %s, not %q`, strings.Join(knownApps(), ", "), a)
		}
	}
	// UNVERIFIED: library= as a tag filter; huggingface_hub sends library
	// names as filter= values.
	tags := splitValues(append(q["filter"], q["library"]...))
	return func(re *repoEntry) bool {
		id := strings.ToLower(re.ID)
		for _, s := range q["search"] {
			if !strings.Contains(id, strings.ToLower(s)) {
				return false
			}
		}
		// UNVERIFIED: whether author matches case-insensitively.
		if a := q.Get("author"); a != "" && !strings.EqualFold(a, re.owner) {
			return false
		}
		if pt := q.Get("pipeline_tag"); pt != "" && pt != re.PipelineTag {
			return false
		}
		if gated != nil && *gated != (re.Gated != "") {
			return false
		}
		for _, tag := range tags {
			if !slices.Contains(re.Tags, tag) {
				return false
			}
		}
		for _, a := range apps {
			if !appUses[a](re) {
				return false
			}
		}
		for _, k := range []string{"models", "datasets"} {
			for _, want := range splitValues(q[k]) {
				if typ != hfgate.RepoTypeSpace || !slices.Contains(cardList(re.CardData, k), want) {
					return false
				}
			}
		}
		return true
	}, nil
}

// splitValues flattens repeated and comma-separated parameter values.
func splitValues(vs []string) []string {
	var out []string
	for _, v := range vs {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// appUses says which repos a local app can run (apps=), as the Hub's "Use
// this model" menu lists them. UNVERIFIED: the Hub's exact rules; these
// follow the formats each app loads.
var appUses = map[string]func(*repoEntry) bool{
	"llama.cpp": hasTag("gguf"), "ollama": hasTag("gguf"), "lmstudio": hasTag("gguf"),
	"jan": hasTag("gguf"), "localai": hasTag("gguf"), "llamafile": hasTag("gguf"),
	"koboldcpp": hasTag("gguf"), "msty": hasTag("gguf"), "docker-model-runner": hasTag("gguf"),
	"vllm": transformersLM, "sglang": transformersLM, "tgi": transformersLM,
	"mlx-lm": hasTag("mlx"),
}

func hasTag(tag string) func(*repoEntry) bool {
	return func(re *repoEntry) bool { return re.typ == hfgate.RepoTypeModel && slices.Contains(re.Tags, tag) }
}

// transformersLM: a transformers text-generation model with safetensors.
func transformersLM(re *repoEntry) bool {
	return re.typ == hfgate.RepoTypeModel && re.LibraryName == "transformers" &&
		re.PipelineTag == "text-generation" && slices.Contains(re.Tags, "safetensors")
}

func knownApps() []string {
	names := make([]string, 0, len(appUses))
	for a := range appUses {
		names = append(names, a)
	}
	slices.Sort(names)
	return names
}
