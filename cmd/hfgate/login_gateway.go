package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

// gatewayClientID is the public client hfgate signs in to its gateways
// with (gateway.ClientHfgate).
const gatewayClientID = "hfgate"

// isGateway reports whether endpoint is an hfgate gateway: its discovery
// document lists hfgate's public client. Any failure says no, and the
// usual "no OAuth app" advice follows.
func isGateway(ctx context.Context, endpoint string) bool {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", strings.TrimRight(endpoint, "/")+"/.well-known/openid-configuration", nil)
	if err != nil {
		return false
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	var md struct {
		Clients []string `json:"hfgate_public_clients"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&md) != nil {
		return false
	}
	return slices.Contains(md.Clients, gatewayClientID)
}
