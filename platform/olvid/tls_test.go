package olvid_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/parleybot/parley/platform/olvid"
	"github.com/parleybot/parley/platform/olvid/olvidsim"
)

// pki is a throwaway CA with a server and a client certificate.
type pki struct {
	pool                      *x509.CertPool
	server                    tls.Certificate
	caFile, certFile, keyFile string
}

func newPKI(t *testing.T) pki {
	t.Helper()
	dir := t.TempDir()
	key := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	write := func(name, typ string, der []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	caKey := key()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test ca"}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	issue := func(serial int64, usage x509.ExtKeyUsage) ([]byte, *ecdsa.PrivateKey) {
		k := key()
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "leaf"}, NotBefore: time.Now().Add(-time.Hour),
			NotAfter: time.Now().Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{usage}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &k.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		return der, k
	}
	srvDER, srvKey := issue(2, x509.ExtKeyUsageServerAuth)
	cliDER, cliKey := issue(3, x509.ExtKeyUsageClientAuth)
	cliKeyDER, _ := x509.MarshalECPrivateKey(cliKey)
	p := pki{pool: x509.NewCertPool(), server: tls.Certificate{Certificate: [][]byte{srvDER}, PrivateKey: srvKey}}
	p.pool.AddCert(ca)
	p.caFile = write("ca.pem", "CERTIFICATE", caDER)
	p.certFile = write("bot.pem", "CERTIFICATE", cliDER)
	p.keyFile = write("bot-key.pem", "EC PRIVATE KEY", cliKeyDER)
	return p
}

// Mutual TLS: the daemon checks the bot's certificate, the bot the
// daemon's; without its certificate the bot is turned away.
func TestMutualTLS(t *testing.T) {
	k := newPKI(t)
	sim := newSim(t, olvidsim.WithTLS(&tls.Config{Certificates: []tls.Certificate{k.server}, ClientCAs: k.pool, ClientAuth: tls.RequireAndVerifyClientCert}))
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	cfg, err := olvid.LoadTLS(k.caFile, k.certFile, k.keyFile, "")
	if err != nil {
		t.Fatal(err)
	}
	c, err := olvid.NewClient(sim.Addr(), olvid.WithClientKey(sim.ClientKey()), olvid.WithTLS(cfg))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Identity(ctx); err != nil {
		t.Fatalf("with the client certificate: %v", err)
	}
	noCert, err := olvid.LoadTLS(k.caFile, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	c2, err := olvid.NewClient(sim.Addr(), olvid.WithClientKey(sim.ClientKey()), olvid.WithTLS(noCert), olvid.WithCallTimeout(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if _, err := c2.Identity(context.Background()); err == nil {
		t.Fatal("a client without certificate got in")
	}
	if _, err := olvid.LoadTLS(k.caFile, k.certFile, "", ""); err == nil {
		t.Fatal("a certificate without key was accepted")
	}
}
