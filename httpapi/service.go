package httpapi

import (
	"context"
	"time"

	"github.com/iotlabel/iotlabel/assess"
	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/registry"
	"github.com/iotlabel/iotlabel/sbom"
	"github.com/iotlabel/iotlabel/store"
	"github.com/iotlabel/iotlabel/trust"
)

// Registry is what the HTTP front needs of the registry, declared here by
// its consumer: one small interface per area of the API. *registry.Service
// implements it; the handlers reach the store only through it.
type Registry interface {
	authenticator
	labelService
	productService
	trustService
	subscriptionService
}

type authenticator interface {
	Authenticate(ctx context.Context, secret string) (registry.Actor, error)
}

// labelService serves labels, their status and history, and the retailer check.
type labelService interface {
	Label(ctx context.Context, id string) (store.Label, error)
	Labels(ctx context.Context, q store.LabelQuery) ([]store.Label, error)
	LabelEvents(ctx context.Context, id string) ([]store.Event, []int64, error)
	Events(ctx context.Context, since int64, limit int) ([]store.Event, error)
	Publish(ctx context.Context, a registry.Actor, envelope []byte, compact string) (store.Label, error)
	ChangeStatus(ctx context.Context, a registry.Actor, id, action, reason string) (store.Label, error)
	AttachSBOM(ctx context.Context, a registry.Actor, id string, comps []sbom.Component) (store.Label, error)
	Check(ctx context.Context, q registry.CheckQuery) (registry.CheckResult, error)
	Now() time.Time
}

// productService serves organisations, products, declarations and
// assessments.
type productService interface {
	CreateOrg(ctx context.Context, a registry.Actor, name, kind string) (store.Org, error)
	Orgs(ctx context.Context) ([]store.Org, error)
	CreateProduct(ctx context.Context, a registry.Actor, orgID, model, name string) (store.Product, error)
	Products(ctx context.Context, orgID string) ([]store.Product, error)
	Product(ctx context.Context, id string) (store.Product, error)
	Declarations(ctx context.Context, productID string) ([]store.Declaration, error)
	DeclarationVersion(ctx context.Context, productID string, version int) (store.Declaration, error)
	SubmitDeclaration(ctx context.Context, a registry.Actor, productID string, decl, ev []byte) (store.Declaration, error)
	Assess(ctx context.Context, a registry.Actor, decl, ev []byte, asOf catalog.Date) (*assess.Assessment, error)
}

// trustService serves the trust store.
type trustService interface {
	TrustStore(ctx context.Context) (*trust.Store, error)
	Accredit(ctx context.Context, a registry.Actor, e *trust.Entry) (*trust.Entry, error)
	RevokeAccreditation(ctx context.Context, a registry.Actor, keyID, reason string) (*trust.Entry, error)
}

// subscriptionService serves webhook subscriptions.
type subscriptionService interface {
	Subscribe(ctx context.Context, a registry.Actor, r registry.SubscribeRequest) (store.Subscription, string, error)
	Subscriptions(ctx context.Context, a registry.Actor) ([]store.Subscription, error)
	SubscriptionDeliveries(ctx context.Context, a registry.Actor, id string, limit int) (store.Subscription, []store.Delivery, error)
	Unsubscribe(ctx context.Context, a registry.Actor, id string) error
}

var _ Registry = (*registry.Service)(nil)
