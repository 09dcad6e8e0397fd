package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/openswf/openswf/internal/auth"
	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/internal/console"
	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/service"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
)

// consoleRoutes builds the web console over the API's interceptor chain
// (so every page asks what the person's principal may ask), and returns its
// routes: /console/ and the bare /console redirected there. Its session key
// is a secret of the store, so logins survive a restart.
func consoleRoutes(ctx context.Context, cfg config, st store.Store, svc *service.Service, chain swfapi.Handler, keys *auth.Keyring, logger *slog.Logger) ([]server.Route, error) {
	key, err := st.Secret(ctx, "console-session")
	if err != nil {
		return nil, fmt.Errorf("reading the console's session key: %w", err)
	}
	ccfg := console.Config{Handler: chain, Extras: svc, SessionKey: key, Secure: cfg.TLSCert != "", Clock: clock.Real{}, Logger: logger}
	if keys != nil {
		ccfg.Keys = keys
	} else {
		ccfg.Anonymous = auth.Local(cfg.AccountID)
	}
	con, err := console.New(ccfg)
	if err != nil {
		return nil, err
	}
	return []server.Route{
		{Pattern: console.Prefix, Handler: con},
		{Pattern: "/console", Handler: http.RedirectHandler(console.Prefix, http.StatusMovedPermanently)},
	}, nil
}

// skipConsole lets console requests past the API's authentication: a
// browser cannot sign requests with SigV4, so the console authenticates
// people itself (a login and a session cookie) and puts their principal in
// the context as the API's middleware does.
func skipConsole(authenticate server.Middleware) server.Middleware {
	return func(next http.Handler) http.Handler {
		signed := authenticate(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/console" || strings.HasPrefix(r.URL.Path, console.Prefix) {
				next.ServeHTTP(w, r)
				return
			}
			signed.ServeHTTP(w, r)
		})
	}
}
