package vuln

import "fmt"

// csafDoc is the subset of a CSAF 2.0 document iotlabel reads: its
// not-affected statements (VEX) and its known-affected products (advisories).
type csafDoc struct {
	Document struct {
		Category string `json:"category"`
		Title    string `json:"title"`
		Tracking struct {
			ID                 string `json:"id"`
			CurrentReleaseDate string `json:"current_release_date"`
		} `json:"tracking"`
	} `json:"document"`
	ProductTree struct {
		Branches         []csafBranch  `json:"branches"`
		FullProductNames []csafProduct `json:"full_product_names"`
	} `json:"product_tree"`
	Vulnerabilities []struct {
		CVE           string `json:"cve"`
		Title         string `json:"title"`
		ProductStatus struct {
			KnownNotAffected []string `json:"known_not_affected"`
			KnownAffected    []string `json:"known_affected"`
			Fixed            []string `json:"fixed"`
		} `json:"product_status"`
		Scores []struct {
			CVSSv3 struct {
				VectorString string `json:"vectorString"`
			} `json:"cvss_v3"`
		} `json:"scores"`
		Notes []struct {
			Category string `json:"category"`
			Text     string `json:"text"`
		} `json:"notes"`
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

// csafCategories are the CSAF 2.0 document categories iotlabel reads.
var csafCategories = map[string]bool{"csaf_vex": true, "csaf_security_advisory": true, "csaf_base": true}

// csafItem is a product of the product tree with where it sits.
type csafItem struct {
	product csafProduct
	path    []string
	version string // from a product_version branch
	vers    string // from a product_version_range branch
}

// products indexes the product tree by product ID.
func (d *csafDoc) products() map[string]csafItem {
	out := map[string]csafItem{}
	var walk func([]csafBranch, []string, string, string)
	walk = func(bs []csafBranch, names []string, version, vers string) {
		for _, b := range bs {
			path := append(append([]string{}, names...), b.Name)
			v, r := version, vers
			switch b.Category {
			case "product_version":
				v = b.Name
			case "product_version_range":
				r = b.Name
			}
			if b.Product != nil {
				out[b.Product.ProductID] = csafItem{*b.Product, path, v, r}
			}
			walk(b.Branches, path, v, r)
		}
	}
	walk(d.ProductTree.Branches, nil, "", "")
	for _, p := range d.ProductTree.FullProductNames {
		out[p.ProductID] = csafItem{product: p}
	}
	return out
}

// statements returns the not-affected statements of a CSAF document, one
// per vulnerability and product, with the justification flag (or the impact
// statement when no flag is given).
func (d *csafDoc) statements() ([]VEXStatement, error) {
	if !csafCategories[d.Document.Category] {
		return nil, fmt.Errorf("CSAF document category %q is not one iotlabel reads (csaf_vex, csaf_security_advisory, csaf_base)", d.Document.Category)
	}
	products := map[string]string{}
	for id, it := range d.products() {
		products[id] = productKey(it.product, it.path)
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
