package hubsim

import (
	"encoding/json"
	"maps"
	"regexp"
	"slices"

	"github.com/hfgate/hfgate"
)

// The properties of model info that are read from the repo's files.

// readJSONFile decodes a small JSON file of the commit into a map, or nil.
func (v *repoView) readJSONFile(path string) map[string]json.RawMessage {
	f := v.c.byPath[path]
	if f == nil {
		return nil
	}
	c, err := f.src.content()
	if err != nil || c.size() > 1<<20 {
		return nil
	}
	buf := make([]byte, c.size())
	c.readAt(buf, 0)
	var m map[string]json.RawMessage
	if json.Unmarshal(buf, &m) != nil {
		return nil
	}
	return m
}

// config is the "config" property: architectures and model_type from
// config.json, and the special tokens and chat template of
// tokenizer_config.json.
func (v *repoView) config() (jsonObject, error) {
	cfg := v.readJSONFile("config.json")
	if cfg == nil {
		return nil, nil
	}
	var obj jsonObject
	for _, k := range []string{"architectures", "model_type"} {
		if raw, ok := cfg[k]; ok {
			obj = append(obj, jsonField{k, raw})
		}
	}
	if tc := v.readJSONFile("tokenizer_config.json"); tc != nil {
		var sub jsonObject
		for _, k := range []string{"bos_token", "chat_template", "eos_token", "pad_token", "unk_token"} {
			if raw, ok := tc[k]; ok && string(raw) != "null" {
				sub = append(sub, jsonField{k, raw})
			}
		}
		if sub != nil {
			obj = append(obj, jsonField{"tokenizer_config", sub})
		}
	}
	return obj, nil
}

func (v *repoView) transformersInfo() jsonObject {
	if v.re.LibraryName != "transformers" || v.readJSONFile("config.json") == nil {
		return nil
	}
	auto := map[string]string{
		"text-generation": "AutoModelForCausalLM", "fill-mask": "AutoModelForMaskedLM",
		"text2text-generation": "AutoModelForSeq2SeqLM", "feature-extraction": "AutoModel",
	}[v.re.PipelineTag]
	if auto == "" {
		auto = "AutoModel"
	}
	obj := jsonObject{{"auto_model", auto}}
	if v.re.PipelineTag != "" {
		obj = append(obj, jsonField{"pipeline_tag", v.re.PipelineTag})
	}
	return append(obj, jsonField{"processor", "AutoTokenizer"})
}

func (v *repoView) siblings() ([]jsonObject, error) {
	out := make([]jsonObject, 0, len(v.c.files))
	for _, f := range v.c.files {
		sib := jsonObject{{"rfilename", f.path}}
		if v.blobs {
			fi, err := v.s.hub.idx.stat(f)
			if err != nil {
				return nil, err
			}
			sib = append(sib, jsonField{"size", fi.Size}, jsonField{"blobId", fi.BlobID})
			if f.lfs {
				sib = append(sib, jsonField{"lfs", jsonObject{{"sha256", fi.SHA256}, {"size", fi.Size}, {"pointerSize", fi.pointerSize}}})
			}
		}
		out = append(out, sib)
	}
	return out, nil
}

func (v *repoView) safetensors() jsonObject {
	params := map[string]int64{}
	var total int64
	for _, f := range v.c.files {
		st := f.src.st
		if st == nil {
			continue
		}
		params[st.dtype] += st.params
		total += st.params
	}
	if total == 0 {
		return nil
	}
	var p jsonObject
	for _, dt := range slices.Sorted(maps.Keys(params)) {
		p = append(p, jsonField{dt, params[dt]})
	}
	return jsonObject{{"parameters", p}, {"total", total}}
}

var shardName = regexp.MustCompile(`^(.*)-\d{5}-of-(\d{5})\.gguf$`)

// gguf is the "gguf" property: what the Hub reads from one GGUF file of the
// repo, here the first in path order (for a sharded file, its first shard,
// with the parameter count and size of the whole model). UNVERIFIED: which
// file the Hub picks.
func (v *repoView) gguf() (jsonObject, error) {
	var rep *fileEntry
	for _, f := range v.c.files {
		if g := f.src.gguf; g != nil && g.split <= 1 {
			rep = f
			break
		}
	}
	if rep == nil {
		return nil, nil
	}
	group := []*fileEntry{rep}
	if m := shardName.FindStringSubmatch(rep.path); m != nil {
		group = nil
		for _, f := range v.c.files {
			if fm := shardName.FindStringSubmatch(f.path); fm != nil && fm[1] == m[1] && fm[2] == m[2] {
				group = append(group, f)
			}
		}
	}
	var size int64
	for _, f := range group {
		c, err := f.src.content()
		if err != nil {
			return nil, err
		}
		size += c.size()
	}
	g := rep.src.gguf
	obj := jsonObject{{"total", parameterCount(g.model)}, {"architecture", g.model.Arch}, {"context_length", g.model.ContextLength}}
	if g.tok.ChatTemplate != "" {
		obj = append(obj, jsonField{"chat_template", g.tok.ChatTemplate})
	}
	if g.tok.BOS != "" {
		obj = append(obj, jsonField{"bos_token", g.tok.BOS})
	}
	if g.tok.EOS != "" {
		obj = append(obj, jsonField{"eos_token", g.tok.EOS})
	}
	return append(obj, jsonField{"totalFileSize", size}), nil
}

// usedStorage is the size of every distinct blob in the repo's history.
func (v *repoView) usedStorage() (int64, error) {
	seen := map[string]bool{}
	var n int64
	for _, c := range v.re.commits {
		for _, f := range c.files {
			if seen[f.key] {
				continue
			}
			seen[f.key] = true
			ct, err := f.src.content()
			if err != nil {
				return 0, err
			}
			n += ct.size()
		}
	}
	return n, nil
}

// cardList reads a list of strings from the card's front matter (a Space's
// "models" or "datasets"); it is never nil, so it is [] in JSON.
func cardList(card json.RawMessage, key string) []string {
	var m map[string]json.RawMessage
	var list []string
	if json.Unmarshal(card, &m) == nil {
		json.Unmarshal(m[key], &list)
	}
	if list == nil {
		list = []string{}
	}
	return list
}

// spacesUsing lists the Spaces whose card names model re, as model info's
// "spaces" does.
func (s *Server) spacesUsing(re *repoEntry) []string {
	out := []string{}
	for _, sp := range s.hub.idx.order {
		if sp.typ == hfgate.RepoTypeSpace && !sp.Private && slices.Contains(cardList(sp.CardData, "models"), re.ID) {
			out = append(out, sp.ID)
		}
	}
	return out
}
