package hubsim

import (
	"fmt"
	"net/url"
)

// parseBool reads a boolean parameter in every form clients send: "true"
// and "false" (httpx, JavaScript), "True" and "False" (the requests
// rendering of Python booleans), "1" and "0". An empty value is false.
func parseBool(name, v string) (bool, error) {
	switch v {
	case "true", "True", "1":
		return true, nil
	case "", "false", "False", "0":
		return false, nil
	}
	return false, fmt.Errorf("%q must be a boolean (true or false), not %q", name, v)
}

// queryBool reads the boolean query parameter name; absent means false.
func queryBool(q url.Values, name string) (bool, error) { return parseBool(name, q.Get(name)) }
