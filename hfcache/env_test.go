package hfcache_test

import (
	"path/filepath"
	"testing"

	"github.com/hfgate/hfgate/hfcache"
)

func TestDirFromEnv(t *testing.T) {
	for _, tt := range []struct {
		name      string
		env       map[string]string
		hub, home string
	}{
		{"defaults", map[string]string{"HOME": "/home/u"},
			"/home/u/.cache/huggingface/hub", "/home/u/.cache/huggingface"},
		{"XDG_CACHE_HOME", map[string]string{"HOME": "/home/u", "XDG_CACHE_HOME": "/xdg"},
			"/xdg/huggingface/hub", "/xdg/huggingface"},
		{"HF_HOME beats XDG_CACHE_HOME", map[string]string{"HOME": "/home/u", "XDG_CACHE_HOME": "/xdg", "HF_HOME": "/hf"},
			"/hf/hub", "/hf"},
		{"legacy HUGGINGFACE_HUB_CACHE beats HF_HOME", map[string]string{"HF_HOME": "/hf", "HUGGINGFACE_HUB_CACHE": "/legacy"},
			"/legacy", "/hf"},
		{"HF_HUB_CACHE beats everything", map[string]string{"HF_HOME": "/hf", "HUGGINGFACE_HUB_CACHE": "/legacy", "HF_HUB_CACHE": "/hub"},
			"/hub", "/hf"},
		{"empty counts as unset", map[string]string{"HOME": "/home/u", "HF_HOME": "", "HF_HUB_CACHE": ""},
			"/home/u/.cache/huggingface/hub", "/home/u/.cache/huggingface"},
		{"tilde expanded", map[string]string{"HOME": "/home/u", "HF_HOME": "~/hf", "HF_HUB_CACHE": "~/hub"},
			"/home/u/hub", "/home/u/hf"},
		{"tilde in XDG_CACHE_HOME", map[string]string{"HOME": "/home/u", "XDG_CACHE_HOME": "~/xdg"},
			"/home/u/xdg/huggingface/hub", "/home/u/xdg/huggingface"},
		{"variables expanded", map[string]string{"DATA": "/data", "HF_HOME": "$DATA/hf", "HF_HUB_CACHE": "${DATA}/hub"},
			"/data/hub", "/data/hf"},
		{"unset variable kept", map[string]string{"HF_HOME": "/x/$NOPE", "HF_HUB_CACHE": "/y/${NOPE}/z"},
			"/y/${NOPE}/z", "/x/$NOPE"},
		{"lone dollar kept", map[string]string{"HF_HOME": "/a$", "HF_HUB_CACHE": "/b${"},
			"/b${", "/a$"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			hub, home := hfcache.DirFromEnv(func(k string) string { return tt.env[k] })
			if hub != filepath.FromSlash(tt.hub) || home != filepath.FromSlash(tt.home) {
				t.Fatalf("DirFromEnv = %q, %q; want %q, %q", hub, home, tt.hub, tt.home)
			}
		})
	}
}

func TestOfflineFromEnv(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{}, false},
		{map[string]string{"HF_HUB_OFFLINE": "1"}, true},
		{map[string]string{"HF_HUB_OFFLINE": "true"}, true},
		{map[string]string{"HF_HUB_OFFLINE": "On"}, true},
		{map[string]string{"HF_HUB_OFFLINE": "yes"}, true},
		{map[string]string{"HF_HUB_OFFLINE": "0"}, false},
		{map[string]string{"HF_HUB_OFFLINE": "no"}, false},
		{map[string]string{"TRANSFORMERS_OFFLINE": "1"}, true},
	} {
		if got := hfcache.OfflineFromEnv(func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("OfflineFromEnv(%v) = %v, want %v", tt.env, got, tt.want)
		}
	}
}
