package hubsim

import (
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/hfgate/hfgate"
)

// searchFilter builds the predicate of a search request's filters: search
// (repeatable, every value a substring of the id), author, filter and
// library (tags, repeatable or comma-separated), pipeline_tag, gated, apps
// and num_parameters (models), inference and inference_provider (no model
// of hubsim is deployed, so they match nothing), and models, datasets and
// linked (Spaces that use them).
func searchFilter(q url.Values, typ hfgate.RepoType) (func(*repoEntry) bool, error) {
	if q.Has("inference") || q.Has("inference_provider") {
		return func(*repoEntry) bool { return false }, nil
	}
	params, err := paramRange(q.Get("num_parameters"))
	if err != nil {
		return nil, err
	}
	linked, err := parseBool("linked", q.Get("linked"))
	if err != nil {
		return nil, err
	}
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
		if linked && len(cardList(re.CardData, "models"))+len(cardList(re.CardData, "datasets")) == 0 {
			return false
		}
		return params == nil || params(re)
	}, nil
}

// paramRange reads num_parameters ("min:6B,max:128B"; either bound may be
// left out) into a predicate on a model's parameter count, from its GGUF
// or safetensors files; nil for no filter. A repo whose count hubsim does
// not know does not match.
func paramRange(v string) (func(*repoEntry) bool, error) {
	if v == "" {
		return nil, nil
	}
	lo, hi := int64(0), int64(math.MaxInt64)
	for _, part := range strings.Split(v, ",") {
		k, num, _ := strings.Cut(strings.TrimSpace(part), ":")
		n, err := parseCount(num)
		switch {
		case err != nil:
			return nil, fmt.Errorf(`"num_parameters" must look like min:6B,max:128B: %w`, err)
		case k == "min":
			lo = n
		case k == "max":
			hi = n
		default:
			return nil, fmt.Errorf(`"num_parameters" takes min: and max:, not %q`, part)
		}
	}
	return func(re *repoEntry) bool {
		n := parameterTotal(re)
		return n > 0 && n >= lo && n <= hi
	}, nil
}

// parseCount reads a count such as 6B, 500M, 1.5K or 7000.
func parseCount(s string) (int64, error) {
	mult := 1.0
	if i := len(s) - 1; i > 0 {
		if m, ok := map[byte]float64{'K': 1e3, 'M': 1e6, 'B': 1e9, 'T': 1e12}[s[i]]; ok {
			s, mult = s[:i], m
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("%q is not a count", s)
	}
	return int64(f * mult), nil
}

// parameterTotal is the parameter count of a model at main: its GGUF
// model's, else the sum over its safetensors files; 0 if unknown.
func parameterTotal(re *repoEntry) int64 {
	var st int64
	for _, f := range re.main.files {
		if g := f.src.gguf; g != nil {
			return parameterCount(g.model)
		}
		if f.src.st != nil {
			st += f.src.st.params
		}
	}
	return st
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
