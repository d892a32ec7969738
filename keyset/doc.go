// Package keyset holds the keys the gateway encrypts secrets at rest with
// (the Hub tokens of its users, the team's service token) and implements
// hfgate.Sealer with them: AES-256-GCM, a 12-byte random nonce per value,
// and associated data that binds each value to what it belongs to.
//
// Keys have IDs so that they rotate: a key set is written as lines of
// "id:base64-key" (32 bytes each, standard or URL base64), the first line
// being the current key; older keys stay below it until every stored value
// is sealed again with the current one (hfgate admin rotate-key). A sealed
// value is text, "id:" and the base64 (URL alphabet, no padding) of nonce
// and ciphertext, so a store can keep it in any text column and see which
// key it needs.
//
// Key files must not be readable by other users (ReadFile refuses a mode
// with group or other bits, as ssh does for its keys). Generate makes a new
// key line.
package keyset
