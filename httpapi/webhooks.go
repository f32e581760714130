package httpapi

import (
	"net/http"

	"github.com/iotlabel/iotlabel/registry"
	"github.com/iotlabel/iotlabel/store"
)

// subscriptionView is a subscription as the API shows it; Secret is set
// only in the answer that creates it.
type subscriptionView struct {
	store.Subscription
	Secret     string           `json:"secret,omitempty"`
	Deliveries []store.Delivery `json:"deliveries,omitempty"`
}

func (s *Server) subscribe(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	var req registry.SubscribeRequest
	if err := decodeBody(r, &req, `{"url": "https://…", "manufacturer", "model", "market", "since"}`); err != nil {
		return err
	}
	sub, secret, err := s.svc.Subscribe(r.Context(), a, req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, subscriptionView{Subscription: sub, Secret: secret})
}

func (s *Server) listSubscriptions(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	subs, err := s.svc.Subscriptions(r.Context(), a)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"subscriptions": subs})
}

func (s *Server) getSubscription(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	limit, err := intParam(r, "limit", 100)
	if err != nil || limit < 1 || limit > 1000 {
		return &badRequest{msg: "limit must be a number from 1 to 1000"}
	}
	sub, ds, err := s.svc.SubscriptionDeliveries(r.Context(), a, r.PathValue("id"), limit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, subscriptionView{Subscription: sub, Deliveries: ds})
}

func (s *Server) deleteSubscription(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	if err := s.svc.Unsubscribe(r.Context(), a, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
