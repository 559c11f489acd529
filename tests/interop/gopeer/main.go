// gopeer: Go's crypto/tls as a peer of the tern command in
// tests/interop_go.test.sh.  Standard library only; built offline by that
// script.  TLS 1.2 only, certificates always verified (never
// InsecureSkipVerify).
//
//	gopeer server -ports FILE -rsa CHAIN,KEY -ecdsa CHAIN,KEY [-p384 CHAIN,KEY]
//	              [-clientca ROOTS] [-alpn LIST] LISTENER...
//	    LISTENER is NAME:CURVES:AUTH:CERTS:TICKETS, for instance
//	    "mtls-x25519:X25519:require:rsa+ecdsa:tickets".  CURVES is a list
//	    joined by "+" (X25519, P-256, P-384); AUTH is "none" or "require"
//	    (tls.RequireAndVerifyClientCert against -clientca); CERTS names the
//	    identities offered, in order; TICKETS is "tickets" or "notickets".
//	    Each listener takes 127.0.0.1 and a port of the kernel's choosing;
//	    when all listen, FILE gets one "NAME PORT" line each (written whole,
//	    by rename).  Every connection is echoed until the peer's
//	    close_notify, then closed with ours; one line per handshake on
//	    stderr: "NAME: SUITE, ALPN x, resumed yes|no, client CN (verified)".
//	    Runs until killed or -timeout.
//
//	gopeer client -connect HOST:PORT -ca ROOTS -servername NAME -suite IANA_NAME
//	              -curves LIST [-cert CHAIN -key KEY] [-alpn LIST] [-expect-alpn P]
//	              [-size N] [-resume N] [-expect-resume yes|no|any]
//	    Connects with exactly that suite and those curves, checks the
//	    negotiated version, suite and ALPN, sends N random bytes while reading
//	    the echo, then closes (close_notify) and compares every byte.  With
//	    -resume N, N more connections from the same session cache (tickets:
//	    Go's client resumes only by ticket), each checked for DidResume and
//	    echoing 4 KB.  Prints one line on success; exit 1 with the reason
//	    otherwise.
package main

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"
)

func die(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "gopeer: "+format+"\n", a...)
	os.Exit(1)
}

func suiteByName(name string) (uint16, error) {
	for _, s := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		if s.Name == name {
			return s.ID, nil
		}
	}
	return 0, fmt.Errorf("unknown cipher suite %q", name)
}

func curvesByName(list, sep string) ([]tls.CurveID, error) {
	var out []tls.CurveID
	for _, n := range strings.Split(list, sep) {
		switch n {
		case "X25519":
			out = append(out, tls.X25519)
		case "P-256":
			out = append(out, tls.CurveP256)
		case "P-384":
			out = append(out, tls.CurveP384)
		default:
			return nil, fmt.Errorf("unknown curve %q", n)
		}
	}
	return out, nil
}

func loadPool(file string) *x509.CertPool {
	pem, err := os.ReadFile(file)
	if err != nil {
		die("%v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		die("%s: no certificates", file)
	}
	return pool
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// ---- server ----

type listener struct {
	name string
	ln   net.Listener
	cfg  *tls.Config
}

func serve(l listener, logc chan<- string) {
	for {
		c, err := l.ln.Accept()
		if err != nil {
			logc <- fmt.Sprintf("%s: accept: %v", l.name, err)
			return
		}
		go func(raw net.Conn) {
			defer raw.Close()
			_ = raw.SetDeadline(time.Now().Add(30 * time.Second))
			conn := tls.Server(raw, l.cfg)
			if err := conn.Handshake(); err != nil {
				logc <- fmt.Sprintf("%s: handshake failed: %v", l.name, err)
				return
			}
			st := conn.ConnectionState()
			client := "no client certificate"
			if len(st.PeerCertificates) > 0 {
				client = "client CN=" + st.PeerCertificates[0].Subject.CommonName
				if len(st.VerifiedChains) > 0 {
					client += " (verified)"
				} else {
					client += " (NOT verified)"
				}
			}
			alpn := st.NegotiatedProtocol
			if alpn == "" {
				alpn = "none"
			}
			resumed := "no"
			if st.DidResume {
				resumed = "yes"
			}
			logc <- fmt.Sprintf("%s: %s, ALPN %s, resumed %s, %s", l.name, tls.CipherSuiteName(st.CipherSuite),
				alpn, resumed, client)
			// Echo until the peer's close_notify (io.EOF), then send ours.
			n, err := io.Copy(conn, conn)
			if err != nil {
				logc <- fmt.Sprintf("%s: echo failed after %d bytes: %v", l.name, n, err)
				return
			}
			if err := conn.Close(); err != nil {
				logc <- fmt.Sprintf("%s: close: %v", l.name, err)
			}
		}(c)
	}
}

func runServer(args []string) {
	fs := flag.NewFlagSet("server", flag.ExitOnError)
	ports := fs.String("ports", "", "file to write NAME PORT lines to")
	rsaID := fs.String("rsa", "", "RSA identity CHAIN,KEY")
	ecdsaID := fs.String("ecdsa", "", "ECDSA P-256 identity CHAIN,KEY")
	p384ID := fs.String("p384", "", "ECDSA P-384 identity CHAIN,KEY")
	clientCA := fs.String("clientca", "", "roots for client certificates")
	alpn := fs.String("alpn", "", "ALPN protocols, comma-separated")
	timeout := fs.Duration("timeout", 600*time.Second, "exit after this long")
	_ = fs.Parse(args)
	if *ports == "" || fs.NArg() == 0 {
		die("server: -ports and at least one LISTENER are required")
	}
	ids := map[string]tls.Certificate{}
	for name, spec := range map[string]string{"rsa": *rsaID, "ecdsa": *ecdsaID, "p384": *p384ID} {
		if spec == "" {
			continue
		}
		parts := strings.SplitN(spec, ",", 2)
		if len(parts) != 2 {
			die("-%s takes CHAIN,KEY", name)
		}
		c, err := tls.LoadX509KeyPair(parts[0], parts[1])
		if err != nil {
			die("-%s: %v", name, err)
		}
		ids[name] = c
	}
	var suites []uint16
	for _, n := range []string{"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
		"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
		"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
		"TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_GCM_SHA384"} {
		id, err := suiteByName(n)
		if err != nil {
			die("%v", err)
		}
		suites = append(suites, id)
	}
	var lns []listener
	var lines strings.Builder
	for _, spec := range fs.Args() {
		f := strings.Split(spec, ":")
		if len(f) != 5 {
			die("listener %q: expected NAME:CURVES:AUTH:CERTS:TICKETS", spec)
		}
		curves, err := curvesByName(f[1], "+")
		if err != nil {
			die("listener %q: %v", spec, err)
		}
		cfg := &tls.Config{
			MinVersion:             tls.VersionTLS12,
			MaxVersion:             tls.VersionTLS12,
			CipherSuites:           suites,
			CurvePreferences:       curves,
			NextProtos:             splitList(*alpn),
			SessionTicketsDisabled: f[4] == "notickets",
		}
		switch f[2] {
		case "none":
		case "require":
			if *clientCA == "" {
				die("listener %q: require needs -clientca", spec)
			}
			cfg.ClientAuth = tls.RequireAndVerifyClientCert
			cfg.ClientCAs = loadPool(*clientCA)
		default:
			die("listener %q: AUTH is none or require", spec)
		}
		for _, id := range strings.Split(f[3], "+") {
			c, ok := ids[id]
			if !ok {
				die("listener %q: identity %q not loaded", spec, id)
			}
			cfg.Certificates = append(cfg.Certificates, c)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			die("listen: %v", err)
		}
		lns = append(lns, listener{f[0], ln, cfg})
		fmt.Fprintf(&lines, "%s %d\n", f[0], ln.Addr().(*net.TCPAddr).Port)
	}
	logc := make(chan string, 64)
	for _, l := range lns {
		go serve(l, logc)
	}
	if err := os.WriteFile(*ports+".tmp", []byte(lines.String()), 0o644); err != nil {
		die("%v", err)
	}
	if err := os.Rename(*ports+".tmp", *ports); err != nil {
		die("%v", err)
	}
	deadline := time.After(*timeout)
	for {
		select {
		case s := <-logc:
			fmt.Fprintln(os.Stderr, s)
		case <-deadline:
			fmt.Fprintln(os.Stderr, "gopeer server: timeout, exiting")
			os.Exit(0)
		}
	}
}

// ---- client ----

// exchange sends size random bytes while reading the echo, closes our
// direction with close_notify and checks that the same bytes came back.
func exchange(conn *tls.Conn, size int) error {
	payload := make([]byte, size)
	if _, err := rand.Read(payload); err != nil {
		return err
	}
	werr := make(chan error, 1)
	go func() {
		_, err := conn.Write(payload)
		if err == nil {
			err = conn.CloseWrite()
		}
		werr <- err
	}()
	got, rerr := io.ReadAll(conn)
	if err := <-werr; err != nil {
		return fmt.Errorf("write: %v", err)
	}
	if rerr != nil {
		return fmt.Errorf("read after %d bytes: %v", len(got), rerr)
	}
	if !bytes.Equal(got, payload) {
		return fmt.Errorf("echo differs: sent %d bytes, got %d back", len(payload), len(got))
	}
	return nil
}

func dial(addr string, cfg *tls.Config) (*tls.Conn, error) {
	d := &net.Dialer{Timeout: 10 * time.Second}
	raw, err := d.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	_ = raw.SetDeadline(time.Now().Add(30 * time.Second))
	conn := tls.Client(raw, cfg)
	if err := conn.Handshake(); err != nil {
		raw.Close()
		return nil, fmt.Errorf("handshake: %v", err)
	}
	return conn, nil
}

func runClient(args []string) {
	fs := flag.NewFlagSet("client", flag.ExitOnError)
	addr := fs.String("connect", "", "HOST:PORT")
	ca := fs.String("ca", "", "roots to verify the server against")
	sni := fs.String("servername", "localhost", "name the server's certificate must carry")
	suiteName := fs.String("suite", "", "the one cipher suite to offer (IANA name)")
	curveList := fs.String("curves", "X25519,P-256", "curves to offer, in order")
	certFile := fs.String("cert", "", "client certificate chain")
	keyFile := fs.String("key", "", "client private key")
	alpn := fs.String("alpn", "", "ALPN protocols to offer, comma-separated")
	expectALPN := fs.String("expect-alpn", "", "the protocol the server must select")
	size := fs.Int("size", 262144, "bytes to echo")
	resume := fs.Int("resume", 0, "further connections resuming the session")
	expectResume := fs.String("expect-resume", "yes", "whether those must resume (yes, no, or any)")
	_ = fs.Parse(args)
	if *addr == "" || *ca == "" || *suiteName == "" {
		die("client: -connect, -ca and -suite are required")
	}
	suite, err := suiteByName(*suiteName)
	if err != nil {
		die("%v", err)
	}
	curves, err := curvesByName(*curveList, ",")
	if err != nil {
		die("%v", err)
	}
	cfg := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		MaxVersion:         tls.VersionTLS12,
		CipherSuites:       []uint16{suite},
		CurvePreferences:   curves,
		RootCAs:            loadPool(*ca),
		ServerName:         *sni,
		NextProtos:         splitList(*alpn),
		ClientSessionCache: tls.NewLRUClientSessionCache(4),
	}
	if *certFile != "" {
		c, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			die("client certificate: %v", err)
		}
		cfg.Certificates = []tls.Certificate{c}
	}
	conn, err := dial(*addr, cfg)
	if err != nil {
		die("%v", err)
	}
	st := conn.ConnectionState()
	if st.Version != tls.VersionTLS12 {
		die("version 0x%04x, not TLS 1.2", st.Version)
	}
	if st.CipherSuite != suite {
		die("suite %s, not %s", tls.CipherSuiteName(st.CipherSuite), *suiteName)
	}
	if st.NegotiatedProtocol != *expectALPN {
		die("ALPN %q, expected %q", st.NegotiatedProtocol, *expectALPN)
	}
	if st.DidResume {
		die("the first connection claims to resume")
	}
	if err := exchange(conn, *size); err != nil {
		die("%v", err)
	}
	conn.Close()
	msg := fmt.Sprintf("%s, server chain verified to %s, %d bytes echoed",
		*suiteName, st.VerifiedChains[0][len(st.VerifiedChains[0])-1].Subject.CommonName, *size)
	if *expectALPN != "" {
		msg += ", ALPN " + *expectALPN
	}
	resumed := 0
	for i := 1; i <= *resume; i++ {
		c, err := dial(*addr, cfg)
		if err != nil {
			die("resumption %d/%d: %v", i, *resume, err)
		}
		rs := c.ConnectionState()
		if rs.DidResume {
			resumed++
		}
		if *expectResume != "any" && rs.DidResume != (*expectResume == "yes") {
			die("resumption %d/%d: DidResume %v, expected %s", i, *resume, rs.DidResume, *expectResume)
		}
		if rs.CipherSuite != suite {
			die("resumption %d/%d: suite %s", i, *resume, tls.CipherSuiteName(rs.CipherSuite))
		}
		if err := exchange(c, 4096); err != nil {
			die("resumption %d/%d: %v", i, *resume, err)
		}
		c.Close()
	}
	if *resume > 0 {
		msg += fmt.Sprintf(", %d of %d further connections resumed by ticket", resumed, *resume)
	}
	fmt.Println(msg)
}

func main() {
	if len(os.Args) < 2 {
		die("usage: gopeer server|client ...")
	}
	switch os.Args[1] {
	case "server":
		runServer(os.Args[2:])
	case "client":
		runClient(os.Args[2:])
	default:
		die("%v", errors.New("usage: gopeer server|client ..."))
	}
}
