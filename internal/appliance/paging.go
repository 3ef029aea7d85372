package appliance

import "fmt"

// Bounds of a listing: an appliance that reports a huge totalCount, ignores Offset or never sends an empty page
// must not keep the client paging, and its memory growing, until Terraform is interrupted.
const (
	// maxListRecords is far more IAM role records than any appliance holds.
	maxListRecords = 10000
	// maxListPages bounds the requests of one listing, for an appliance that ignores Limit with tiny pages.
	maxListPages = 500
)

// pager follows a listing page by page and says when it is complete or cannot be completed.
type pager struct {
	url   string
	seen  map[string]bool
	pages int
}

func newPager(url string) *pager { return &pager{url: url, seen: map[string]bool{}} }

// add takes the page that answered offset and appends its new records to roles. It reports true when the listing
// is complete: the appliance's totalCount is reached or a page is empty. A page that holds only records already
// listed (the appliance ignores Offset) and a listing beyond maxListRecords or maxListPages are errors, since the
// records not read could be the ones looked for.
func (p *pager) add(page wirePage, offset int, roles *[]Role) (bool, error) {
	p.pages++
	fresh := 0
	for _, w := range page.Results {
		if !p.seen[w.ID] {
			p.seen[w.ID] = true
			*roles = append(*roles, w.role())
			fresh++
		}
	}
	switch {
	case len(page.Results) == 0 || offset+len(page.Results) >= page.TotalCount:
		return true, nil
	case fresh == 0:
		return false, fmt.Errorf("listing the IAM role records of the appliance at %s: the page at offset %d "+
			"repeats records already listed (%d of the %d it reports), so the appliance ignores Offset and the "+
			"listing cannot be completed", p.url, offset, len(p.seen), page.TotalCount)
	case len(p.seen) > maxListRecords || p.pages >= maxListPages:
		return false, fmt.Errorf("listing the IAM role records of the appliance at %s: stopped after %d records "+
			"in %d pages although it reports %d; no appliance holds that many, so its answers cannot be trusted",
			p.url, len(p.seen), p.pages, page.TotalCount)
	}
	return false, nil
}
