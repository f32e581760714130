package vuln

import "fmt"

type kevCatalog struct {
	Title           string `json:"title"`
	CatalogVersion  string `json:"catalogVersion"`
	Vulnerabilities []struct {
		CVEID      string `json:"cveID"`
		Vendor     string `json:"vendorProject"`
		Product    string `json:"product"`
		Name       string `json:"vulnerabilityName"`
		DateAdded  string `json:"dateAdded"`
		DueDate    string `json:"dueDate"`
		Ransomware string `json:"knownRansomwareCampaignUse"`
	} `json:"vulnerabilities"`
}

func (k *kevCatalog) entries() ([]KEVEntry, error) {
	out := make([]KEVEntry, 0, len(k.Vulnerabilities))
	for i, v := range k.Vulnerabilities {
		if v.CVEID == "" || v.DateAdded == "" {
			return nil, fmt.Errorf("KEV entry %d lacks cveID or dateAdded", i)
		}
		out = append(out, KEVEntry{CVE: v.CVEID, Vendor: v.Vendor, Product: v.Product, Name: v.Name,
			DateAdded: v.DateAdded, DueDate: v.DueDate, Ransomware: v.Ransomware, CatalogVersion: k.CatalogVersion})
	}
	return out, nil
}
