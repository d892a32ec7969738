package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/policy"
)

// gatewayConfig is the config file of the gateway (hfgate serve and hfgate
// admin), in TOML. Each section decodes into the plain structs of the
// package it configures; serve adds its sections here. Unknown keys are an
// error, as in the CLI's config file.
type gatewayConfig struct {
	Policy struct {
		Rules []ruleConfig `toml:"rule"` // [[policy.rule]]
	} `toml:"policy"`
	CI ciConfig `toml:"ci"` // serve_ci.go: [[ci.issuer]], [[ci.trust]]

	serveConfig // serve_config.go: [server], [database], [keys], [hub], sign-in, lifetimes, [admins]
}

// ruleConfig is one [[policy.rule]] table; see policy.Rule.
type ruleConfig struct {
	Name     string          `toml:"name"`
	Effect   string          `toml:"effect"`
	Actions  []string        `toml:"actions"`
	Repos    []string        `toml:"repos"`
	Subjects []subjectConfig `toml:"subjects"`
	Except   []subjectConfig `toml:"except"`
}

// subjectConfig is one inline table of subjects or except; see
// policy.Subject.
type subjectConfig struct {
	User          string            `toml:"user"`
	Org           string            `toml:"org"`
	MinRole       string            `toml:"min_role"`
	Group         string            `toml:"group"`
	Claim         map[string]string `toml:"claim"`
	CI            map[string]string `toml:"ci"`
	Authenticated bool              `toml:"authenticated"`
	Anyone        bool              `toml:"anyone"`
}

// loadGatewayConfig reads the gateway's config file. A syntax error, a
// value of the wrong type, an unknown key or an invalid rule is an EINVALID
// error that names the file and, where it can be found, the line.
func loadGatewayConfig(path string) (*gatewayConfig, error) {
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, hfgate.Errorf(hfgate.EINVALID, "config file %s does not exist", path)
	case err != nil:
		return nil, hfgate.WrapError(hfgate.EINVALID, err, "config file %s cannot be read", path)
	}
	cfg := new(gatewayConfig)
	md, err := toml.Decode(string(data), cfg)
	if err != nil {
		return nil, configError(path, err)
	}
	var problems []string
	unknown := md.Undecoded()
	for _, k := range unknown {
		if !slices.ContainsFunc(unknown, func(parent toml.Key) bool { return strings.HasPrefix(k.String(), parent.String()+".") }) {
			problems = append(problems, fmt.Sprintf("%sunknown key %s", atLine(keyLine(data, k)), k))
		}
	}
	problems = append(problems, cfg.serveConfig.problems()...)
	problems = append(problems, cfg.CI.problems()...)
	rules := ruleLines(data, len(cfg.Policy.Rules))
	for _, p := range cfg.policy().Problems() {
		problems = append(problems, atLine(rules.line(p.Index, p.Field))+p.String())
	}
	if len(problems) > 0 {
		return nil, hfgate.Errorf(hfgate.EINVALID, "config file %s: %s", path, strings.Join(problems, "; "))
	}
	return cfg, nil
}

// policy returns the [[policy.rule]] tables as a policy.Config.
func (c *gatewayConfig) policy() policy.Config {
	var pc policy.Config
	for _, r := range c.Policy.Rules {
		rule := policy.Rule{Name: r.Name, Effect: policy.Effect(r.Effect), Repos: r.Repos,
			Subjects: subjects(r.Subjects), Except: subjects(r.Except)}
		for _, a := range r.Actions {
			rule.Actions = append(rule.Actions, hfgate.RepoAction(a))
		}
		pc.Rules = append(pc.Rules, rule)
	}
	return pc
}

func subjects(in []subjectConfig) []policy.Subject {
	var out []policy.Subject
	for _, s := range in {
		out = append(out, policy.Subject{User: s.User, Org: s.Org, MinRole: s.MinRole, Group: s.Group,
			Claim: s.Claim, CI: s.CI, Authenticated: s.Authenticated, Anyone: s.Anyone})
	}
	return out
}

func atLine(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("line %d: ", n)
}

var ruleHeader = regexp.MustCompile(`^\s*\[\[\s*policy\s*\.\s*rule\s*\]\]\s*(#.*)?$`)

// ruleText is the text of a config file with the line where each
// [[policy.rule]] table starts.
type ruleText struct {
	lines  [][]byte
	starts []int // from 0; nil when unknown
}

// ruleLines finds the n [[policy.rule]] headers of data. When the file
// writes its rules some other way (an inline array), it finds none, so that
// no problem is ever put on a wrong line.
func ruleLines(data []byte, n int) ruleText {
	t := ruleText{lines: bytes.Split(data, []byte("\n"))}
	for i, l := range t.lines {
		if ruleHeader.Match(l) {
			t.starts = append(t.starts, i)
		}
	}
	if len(t.starts) != n {
		t.starts = nil
	}
	return t
}

// line returns the line, from 1, where rule i sets field, else where the
// rule starts; 0 when unknown.
func (t ruleText) line(i int, field string) int {
	if t.starts == nil {
		return 0
	}
	end := len(t.lines)
	if i+1 < len(t.starts) {
		end = t.starts[i+1]
	}
	set := regexp.MustCompile(`^\s*"?` + regexp.QuoteMeta(field) + `"?\s*=`)
	for j := t.starts[i] + 1; j < end && field != ""; j++ {
		if set.Match(t.lines[j]) {
			return j + 1
		}
	}
	return t.starts[i] + 1
}

// keyLine returns the line where key is set or its table starts, when
// that is on exactly one line of data; else 0.
func keyLine(data []byte, key toml.Key) int {
	if len(key) == 0 {
		return 0
	}
	parts := make([]string, len(key))
	for i, k := range key {
		parts[i] = `"?` + regexp.QuoteMeta(k) + `"?`
	}
	re := regexp.MustCompile(`(^|[\s{,])` + parts[len(parts)-1] + `\s*=|^\s*\[+\s*` + strings.Join(parts, `\s*\.\s*`) + `\s*\]`)
	line := 0
	for i, l := range bytes.Split(data, []byte("\n")) {
		if re.Match(l) {
			if line != 0 {
				return 0
			}
			line = i + 1
		}
	}
	return line
}
