package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/hfgate/hfgate"
)

// Config is the optional config file (TOML). Flags and environment variables
// override it; missing keys keep their defaults.
type Config struct {
	HuggingFace struct {
		ClientID     string   `toml:"client_id"`     // an OAuth app from huggingface.co/settings/applications
		ClientSecret string   `toml:"client_secret"` // empty for a public app (PKCE only)
		Scopes       []string `toml:"scopes"`
		Endpoint     string   `toml:"endpoint"`
	} `toml:"huggingface"`
}

// configPath returns --config, else HFGATE_CONFIG, else
// $XDG_CONFIG_HOME/hfgate/config.toml (~/.config/hfgate/config.toml), and
// whether the path was chosen explicitly.
func (a *app) configPath() (path string, explicit bool) {
	if p := firstNonEmpty(a.configFlag, a.env("HFGATE_CONFIG")); p != "" {
		return p, true
	}
	return filepath.Join(a.configDir(), "config.toml"), false
}

// configDir is $XDG_CONFIG_HOME/hfgate, else ~/.config/hfgate.
func (a *app) configDir() string {
	return filepath.Join(a.xdgDir("XDG_CONFIG_HOME", ".config"), "hfgate")
}

// xdgDir returns the XDG base directory named by env key, else
// ~/fallback.
func (a *app) xdgDir(key, fallback string) string {
	if base := a.env(key); base != "" {
		return base
	}
	home := a.env("HOME")
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	return filepath.Join(home, fallback)
}

// configError says where a config file is wrong. The parser's message may
// quote the value it choked on, so it is left out for a secret.
func configError(path string, err error) error {
	var pe toml.ParseError
	if ppe, ok := errors.AsType[*toml.ParseError](err); ok {
		pe = *ppe
	} else if !errors.As(err, &pe) {
		// A wrong type ("incompatible types"), or the file unreadable: no
		// value is quoted.
		return hfgate.WrapError(hfgate.EINVALID, err, "config file %s: %s", path, strings.TrimPrefix(err.Error(), "toml: "))
	}
	detail := pe.Message
	if strings.Contains(pe.LastKey, "secret") {
		detail = "not valid TOML"
	}
	return hfgate.WrapError(hfgate.EINVALID, err, "config file %s, line %d: %s", path, pe.Position.Line, detail)
}

// loadConfig reads the config file. A missing default file is no error; a
// missing explicit file, a syntax error or an unknown key is.
func (a *app) loadConfig() error {
	a.cfg = new(Config)
	path, explicit := a.configPath()
	md, err := toml.DecodeFile(path, a.cfg)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !explicit:
		return nil
	case errors.Is(err, fs.ErrNotExist):
		return hfgate.Errorf(hfgate.EINVALID, "config file %s does not exist", path)
	case err != nil:
		return configError(path, err)
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		keys := make([]string, len(undecoded))
		for i, k := range undecoded {
			keys[i] = k.String()
		}
		return hfgate.Errorf(hfgate.EINVALID, "config file %s: unknown key(s) %s", path, strings.Join(keys, ", "))
	}
	return nil
}
