package fit

import (
	"cmp"
	"fmt"
	"slices"
)

// need is the memory an entry needs: its estimate, else its size (a lower
// bound: the weights).
func need(e *Entry) int64 {
	if e.Memory != nil {
		return e.Memory.Total
	}
	return e.Size
}

// compareEntries orders entries best first: those that fit before the
// rest; among those that fit, the most parameters, then the best
// quantization; among the rest, the smallest need.
func compareEntries(a, b Entry) int {
	af, bf := a.Fits == Fits, b.Fits == Fits
	switch {
	case af != bf:
		if af {
			return -1
		}
		return 1
	case af:
		return cmp.Or(cmp.Compare(b.Parameters, a.Parameters),
			cmp.Compare(quantRank(b.Quantization), quantRank(a.Quantization)))
	}
	return cmp.Compare(need(&a), need(&b))
}

// Suggest returns the index of the file of one repository's entries (as
// Analyze returns them) to take on this machine, as Recommend picks one:
// among the GGUF files of the quantizations worth running (Q4_K_S to Q8_0)
// that fit, the most parameters, then the best quantization; -1 when none
// fits or the budget is unknown.
func Suggest(entries []Entry) int {
	best := -1
	for i, e := range entries {
		if !e.GGUF || e.Fits != Fits || quantRank(e.Quantization) < 0 {
			continue
		}
		if best < 0 || compareEntries(e, entries[best]) < 0 {
			best = i
		}
	}
	return best
}

// comparePicks orders picks by their entries, then by downloads.
func comparePicks(a, b Pick) int {
	return cmp.Or(compareEntries(a.Entry, b.Entry), cmp.Compare(b.Downloads, a.Downloads), cmp.Compare(a.Repo, b.Repo))
}

// quantRank is a quantization's place in candidateQuants, -1 if absent.
func quantRank(q string) int { return slices.Index(candidateQuants, q) }

// reason is a pick's one line, e.g. "best fit, the largest model that
// fits: 14.8B parameters at Q5_K_M needs 13.1 GB with 8192 tokens of
// context; 41877 downloads".
func reason(p *Pick, b Budget, first bool) string {
	e := &p.Entry
	switch {
	case e.Fits == TooBig && e.Memory == nil:
		return fmt.Sprintf("does not fit: the file alone is %s, more than the %s usable", gb(e.Size), gb(b.Usable))
	case e.Fits == TooBig:
		return fmt.Sprintf("does not fit: %s at %s needs %s, more than the %s usable", params(e.Parameters), e.Quantization, gb(need(e)), gb(b.Usable))
	}
	what := "fits"
	switch {
	case first && e.Fits == Fits:
		what = "best fit, the largest model that fits"
	case e.Fits == Unknown:
		what = "fit unknown (this machine's memory is not known)"
	}
	return fmt.Sprintf("%s: %s at %s needs %s with %d tokens of context; %d downloads",
		what, params(e.Parameters), e.Quantization, gb(need(e)), e.Memory.ContextLength, p.Downloads)
}

// gb formats bytes in decimal gigabytes, as the Hub shows file sizes.
func gb(n int64) string { return fmt.Sprintf("%.1f GB", float64(n)/1e9) }

func params(n int64) string { return fmt.Sprintf("%.1fB parameters", float64(n)/1e9) }
