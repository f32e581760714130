package vuln

import "fmt"

// csafDoc is the subset of a CSAF 2.0 document a VEX reader needs.
type csafDoc struct {
	Document struct {
		Category string `json:"category"`
		Title    string `json:"title"`
		Tracking struct {
			ID string `json:"id"`
		} `json:"tracking"`
	} `json:"document"`
	ProductTree struct {
		Branches         []csafBranch  `json:"branches"`
		FullProductNames []csafProduct `json:"full_product_names"`
	} `json:"product_tree"`
	Vulnerabilities []struct {
		CVE           string `json:"cve"`
		ProductStatus struct {
			KnownNotAffected []string `json:"known_not_affected"`
		} `json:"product_status"`
		Flags []struct {
			Label      string   `json:"label"`
			ProductIDs []string `json:"product_ids"`
		} `json:"flags"`
		Threats []struct {
			Category   string   `json:"category"`
			Details    string   `json:"details"`
			ProductIDs []string `json:"product_ids"`
		} `json:"threats"`
	} `json:"vulnerabilities"`
}

type csafBranch struct {
	Category string       `json:"category"`
	Name     string       `json:"name"`
	Product  *csafProduct `json:"product"`
	Branches []csafBranch `json:"branches"`
}

type csafProduct struct {
	ProductID string `json:"product_id"`
	Name      string `json:"name"`
	Helper    struct {
		PURL string `json:"purl"`
		CPE  string `json:"cpe"`
	} `json:"product_identification_helper"`
}

// statements returns the not-affected statements of a CSAF VEX document, one
// per vulnerability and product, with the justification flag (or the impact
// statement when no flag is given).
func (d *csafDoc) statements() ([]VEXStatement, error) {
	if d.Document.Category != "csaf_vex" {
		return nil, fmt.Errorf("CSAF document category %q is not csaf_vex", d.Document.Category)
	}
	products := map[string]string{}
	var walk func([]csafBranch, []string)
	walk = func(bs []csafBranch, names []string) {
		for _, b := range bs {
			path := append(append([]string{}, names...), b.Name)
			if b.Product != nil {
				products[b.Product.ProductID] = productKey(*b.Product, path)
			}
			walk(b.Branches, path)
		}
	}
	walk(d.ProductTree.Branches, nil)
	for _, p := range d.ProductTree.FullProductNames {
		products[p.ProductID] = productKey(p, nil)
	}
	doc := d.Document.Tracking.ID
	var out []VEXStatement
	for _, v := range d.Vulnerabilities {
		why := map[string]string{}
		for _, f := range v.Flags {
			for _, id := range f.ProductIDs {
				why[id] = f.Label
			}
		}
		for _, t := range v.Threats {
			for _, id := range t.ProductIDs {
				if t.Category == "impact" && why[id] == "" {
					why[id] = t.Details
				}
			}
		}
		for _, id := range v.ProductStatus.KnownNotAffected {
			key, ok := products[id]
			if !ok {
				return nil, fmt.Errorf("%s: %s names product %q, which the product tree does not define", doc, v.CVE, id)
			}
			out = append(out, VEXStatement{Vulnerability: v.CVE, Product: key, Status: "not_affected", Justification: why[id], Document: doc})
		}
	}
	return out, nil
}

// productKey identifies a CSAF product by purl, else CPE, else "name@version"
// from the vendor/product/version branch path.
func productKey(p csafProduct, path []string) string {
	switch {
	case p.Helper.PURL != "":
		return p.Helper.PURL
	case p.Helper.CPE != "":
		return p.Helper.CPE
	case len(path) >= 2:
		return path[len(path)-2] + "@" + path[len(path)-1]
	}
	return p.Name
}
