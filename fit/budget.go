package fit

// MinHeadroom is the least memory a Budget keeps free for the operating
// system, the program running the model and everything else.
const MinHeadroom = 1 << 30

// Budget is the memory a model may use.
//
// The rule: an estimate fits when it is at most Usable, which is Bytes minus
// a headroom of a tenth of Bytes, and at least MinHeadroom (1 GiB). Bytes is
// the memory available now (MemAvailable on Linux) or what the user states
// with --memory. The zero Budget is unknown: every verdict is Unknown.
type Budget struct {
	Bytes  int64  `json:"bytes"`  // memory the model may use, before headroom
	Usable int64  `json:"usable"` // Bytes less the headroom: the most an estimate may be
	Source string `json:"source"` // where Bytes came from, e.g. "available memory" or "--memory"
}

// NewBudget returns the Budget of bytes of memory, described by source.
// bytes ≤ 0 gives an unknown budget.
func NewBudget(bytes int64, source string) Budget {
	if bytes <= 0 {
		return Budget{Source: source}
	}
	headroom := max(bytes/10, MinHeadroom)
	return Budget{Bytes: bytes, Usable: max(bytes-headroom, 0), Source: source}
}

// Known reports whether the budget has a size.
func (b Budget) Known() bool { return b.Bytes > 0 }

// Verdict says whether a model needing need bytes fits the budget.
func (b Budget) Verdict(need int64) Verdict {
	switch {
	case !b.Known() || need <= 0:
		return Unknown
	case need <= b.Usable:
		return Fits
	default:
		return TooBig
	}
}

// Verdict is whether an entry fits a Budget.
type Verdict string

// Verdicts. Unknown is for a GGUF model with no estimate (a header that
// could not be read, shards missing) and for an unknown budget. NotModel
// is for a file that is not a GGUF model (README.md, config.json,
// safetensors weights): no estimate is made for it, so there is nothing to
// judge.
const (
	Fits     Verdict = "yes"
	TooBig   Verdict = "no"
	Unknown  Verdict = "unknown"
	NotModel Verdict = ""
)
