package catalog

// TierBroken is the lowest tier that a failure of the check breaks: the
// first tier needing the check's outcome, or an outcome it also fails. It is
// 0 for a check no tier depends on (or an unknown check). A failure that
// breaks Tier 1, the legal baseline, is the most serious a device can show.
func (c *Catalog) TierBroken(check string) int {
	k := c.Check(check)
	if k == nil {
		return 0
	}
	outcomes := append([]string{k.Outcome}, k.AlsoFails...)
	for _, t := range c.Tiers {
		for _, o := range t.Outcomes {
			for _, x := range outcomes {
				if o.ID == x {
					return t.Level
				}
			}
		}
	}
	return 0
}
