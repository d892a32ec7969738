package hfgate

import "testing"

func TestIsCID(t *testing.T) {
	for s, want := range map[string]bool{
		"bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy": true,
		"bafybeicvbo7tm4fnlr4oouqo6vx336bjgntrocgvhnn5togopzjdxh63q4": true,
		"QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn":              true,
		"QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3N0":              false, // 0 is not base58
		"bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zY": false,
		"bafy/../etc":  false,
		"b":            false,
		"":             false,
		"bafy\x1b[31m": false,
	} {
		if got := IsCID(s); got != want {
			t.Errorf("IsCID(%q) = %v, want %v", s, got, want)
		}
	}
}
