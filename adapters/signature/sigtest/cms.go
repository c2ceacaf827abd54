package sigtest

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/asn1"
	"fmt"
	"math/big"
	"sort"
	"testing"
	"time"
)

// This file assembles CMS SignedData by hand for what
// github.com/digitorus/pkcs7 cannot sign: GOST keys (as Kalkan does) and
// countersignatures (RFC 5652 11.4).

var (
	oidData            = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSignedData      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidTSTInfo         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}
	oidContentType     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidMessageDigest   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidSigningTime     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidCountersign     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 6}
	oidSHA256          = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA256WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidECDSAWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
)

// mustMarshal encodes v, panicking on an error: the values here are of
// fixed types, so an error is a bug of this package.
func mustMarshal(v any) []byte {
	b, err := asn1.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// tlv encodes one DER element with the given class|constructed|tag byte.
func tlv(tag byte, content []byte) []byte {
	b := mustMarshal(asn1.RawValue{Class: int(tag >> 6), IsCompound: tag&0x20 != 0, Tag: int(tag & 0x1f), Bytes: content})
	return b
}

func attribute(typ asn1.ObjectIdentifier, valueDER []byte) []byte {
	return tlv(0x30, append(mustMarshal(typ), tlv(0x31, valueDER)...))
}

// derSet sorts encoded elements as DER requires of a SET OF and joins them.
func derSet(elems [][]byte) []byte {
	s := append([][]byte{}, elems...)
	sort.Slice(s, func(i, j int) bool { return bytes.Compare(s[i], s[j]) < 0 })
	return bytes.Join(s, nil)
}

// signerOpts shapes one signer info.
type signerOpts struct {
	contentType   asn1.ObjectIdentifier // nil for a countersignature
	signingTime   time.Time
	noSignedAttrs bool
	kalkanOIDs    bool     // the key OID as signature algorithm, no digest parameters
	unsigned      [][]byte // encoded unsigned attributes
}

// digestOf hashes msg as leaf signs: with the GOST key's digest, else
// SHA-256.
func digestOf(leaf *Leaf, msg []byte) []byte {
	if leaf.GOST != nil {
		return leaf.GOST.Digest(msg)
	}
	s := sha256.Sum256(msg)
	return s[:]
}

// signerInfo makes leaf's SignerInfo over data (the content, or for a
// countersignature the signature value it countersigns) and returns it
// with its signature value.
func signerInfo(leaf *Leaf, data []byte, o signerOpts) ([]byte, []byte) {
	digest := digestOf(leaf, data)
	var digestAlg, sigAlg []byte
	switch {
	case leaf.GOST != nil:
		digestAlg = mustMarshal(struct{ A asn1.ObjectIdentifier }{leaf.GOST.digestOID})
		so := leaf.GOST.sigOID
		if o.kalkanOIDs {
			so = leaf.GOST.keyOID
		}
		sigAlg = mustMarshal(struct{ A asn1.ObjectIdentifier }{so})
	default:
		digestAlg = mustMarshal(struct {
			A asn1.ObjectIdentifier
			P asn1.RawValue
		}{oidSHA256, asn1.NullRawValue})
		switch leaf.Key.(type) {
		case *rsa.PrivateKey:
			sigAlg = mustMarshal(struct {
				A asn1.ObjectIdentifier
				P asn1.RawValue
			}{oidSHA256WithRSA, asn1.NullRawValue})
		case *ecdsa.PrivateKey:
			sigAlg = mustMarshal(struct{ A asn1.ObjectIdentifier }{oidECDSAWithSHA256})
		default:
			panic(fmt.Sprintf("sigtest: key %T", leaf.Key))
		}
	}
	var signedAttrs []byte
	toSign := data
	if !o.noSignedAttrs {
		var attrs [][]byte
		if o.contentType != nil {
			attrs = append(attrs, attribute(oidContentType, mustMarshal(o.contentType)))
		}
		st := o.signingTime
		if st.IsZero() {
			st = time.Now()
		}
		attrs = append(attrs, attribute(oidSigningTime, mustMarshal(st.UTC())))
		attrs = append(attrs, attribute(oidMessageDigest, mustMarshal(digest)))
		set := derSet(attrs)
		toSign = tlv(0x31, set)
		signedAttrs = tlv(0xa0, set)
	}
	var sig []byte
	switch k := leaf.Key.(type) {
	case nil:
		if o.noSignedAttrs {
			sig = leaf.GOST.signDigest(digest)
		} else {
			sig = leaf.GOST.signDigest(leaf.GOST.Digest(toSign))
		}
	case *rsa.PrivateKey:
		d := digestOf(leaf, toSign)
		var err error
		if sig, err = rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, d); err != nil {
			panic(err)
		}
	case *ecdsa.PrivateKey:
		d := digestOf(leaf, toSign)
		var err error
		if sig, err = ecdsa.SignASN1(rand.Reader, k, d); err != nil {
			panic(err)
		}
	}
	sid := tlv(0x30, append(append([]byte{}, leaf.Cert.RawIssuer...), mustMarshal(leaf.Cert.SerialNumber)...))
	body := bytes.Join([][]byte{mustMarshal(1), sid, digestAlg, signedAttrs, sigAlg, mustMarshal(sig)}, nil)
	if len(o.unsigned) > 0 {
		body = append(body, tlv(0xa1, derSet(o.unsigned))...)
	}
	return tlv(0x30, body), sig
}

// signedData assembles a ContentInfo with SignedData around signer infos.
func signedData(eContentType asn1.ObjectIdentifier, content []byte, detached bool, digestAlgs, certs, signers [][]byte) []byte {
	encap := mustMarshal(eContentType)
	if !detached {
		encap = append(encap, tlv(0xa0, mustMarshal(content))...)
	}
	body := bytes.Join([][]byte{
		mustMarshal(1),
		tlv(0x31, derSet(digestAlgs)),
		tlv(0x30, encap),
		tlv(0xa0, bytes.Join(certs, nil)),
		tlv(0x31, derSet(signers)),
	}, nil)
	return tlv(0x30, append(mustMarshal(oidSignedData), tlv(0xa0, tlv(0x30, body))...))
}

// signCMS is Sign for what digitorus/pkcs7 cannot do: GOST keys and
// countersignatures.
func (p *PKI) signCMS(t testing.TB, leaf *Leaf, content []byte, o SignOptions) []byte {
	t.Helper()
	// A first pass gives the signature value the unsigned attributes
	// (timestamp, countersignature) are over; they do not change it.
	so := signerOpts{contentType: oidData, signingTime: o.SigningTime, noSignedAttrs: o.NoSignedAttributes, kalkanOIDs: o.KalkanOIDs}
	si, sig := signerInfo(leaf, content, so)
	if o.Timestamp || o.Countersigner != nil {
		if o.Timestamp {
			over := sig
			if o.TimestampOf != nil {
				over = o.TimestampOf
			}
			so.unsigned = append(so.unsigned, attribute(oidTimeStampToken, p.Timestamp(t, over)))
		}
		if c := o.Countersigner; c != nil {
			over := sig
			if o.CountersignOf != nil {
				over = o.CountersignOf
			}
			csi, _ := signerInfo(c, over, signerOpts{signingTime: o.SigningTime})
			so.unsigned = append(so.unsigned, attribute(oidCountersign, csi))
		}
		si = rebuildUnsigned(si, so.unsigned)
	}
	certs := [][]byte{leaf.Cert.Raw}
	for _, c := range leaf.Chain {
		certs = append(certs, c.Raw)
	}
	if c := o.Countersigner; c != nil {
		certs = append(certs, c.Cert.Raw)
		for _, x := range c.Chain {
			if !bytes.Equal(x.Raw, leaf.Cert.Raw) {
				certs = appendOnce(certs, x.Raw)
			}
		}
	}
	var digestAlg []byte
	var parsed struct {
		Version   int
		SID       asn1.RawValue
		DigestAlg asn1.RawValue
	}
	if _, err := asn1.Unmarshal(si, &parsed); err != nil {
		panic(err)
	}
	digestAlg = parsed.DigestAlg.FullBytes
	return signedData(oidData, content, o.Detached, [][]byte{digestAlg}, certs, [][]byte{si})
}

func appendOnce(list [][]byte, x []byte) [][]byte {
	for _, y := range list {
		if bytes.Equal(x, y) {
			return list
		}
	}
	return append(list, x)
}

// rebuildUnsigned replaces the unsigned attributes of an encoded signer
// info (the signed part and the signature stay as they are).
func rebuildUnsigned(si []byte, unsigned [][]byte) []byte {
	var fields []asn1.RawValue
	if _, err := asn1.Unmarshal(si, &fields); err != nil {
		panic(err)
	}
	if last := fields[len(fields)-1]; last.Class == asn1.ClassContextSpecific && last.Tag == 1 {
		fields = fields[:len(fields)-1]
	}
	var body []byte
	for _, f := range fields {
		body = append(body, f.FullBytes...)
	}
	body = append(body, tlv(0xa1, derSet(unsigned))...)
	return tlv(0x30, body)
}

// gostToken makes an RFC 3161 token signed by the PKI's GOST TSA; it
// panics on an encoding error (a bug of this package).
func (p *PKI) gostToken(hashOID asn1.ObjectIdentifier, hashed []byte, nonce *big.Int, at time.Time) []byte {
	info := struct {
		Version        int
		Policy         asn1.ObjectIdentifier
		MessageImprint struct {
			Algorithm struct {
				A asn1.ObjectIdentifier
				P asn1.RawValue
			}
			Hashed []byte
		}
		SerialNumber *big.Int
		GenTime      time.Time `asn1:"generalized"`
		Nonce        *big.Int  `asn1:"optional"`
	}{Version: 1, Policy: asn1.ObjectIdentifier{1, 2, 398, 3, 3, 2, 6, 1}, SerialNumber: big.NewInt(at.UnixNano()), GenTime: at.UTC().Truncate(time.Second), Nonce: nonce}
	info.MessageImprint.Algorithm.A, info.MessageImprint.Algorithm.P = hashOID, asn1.NullRawValue
	info.MessageImprint.Hashed = hashed
	content := mustMarshal(info)
	si, _ := signerInfo(p.TSA, content, signerOpts{contentType: oidTSTInfo, signingTime: at, kalkanOIDs: true})
	var parsed struct {
		Version   int
		SID       asn1.RawValue
		DigestAlg asn1.RawValue
	}
	if _, err := asn1.Unmarshal(si, &parsed); err != nil {
		panic(err)
	}
	return signedData(oidTSTInfo, content, false, [][]byte{parsed.DigestAlg.FullBytes}, [][]byte{p.TSA.Cert.Raw}, [][]byte{si})
}

var hashOIDs = map[crypto.Hash]asn1.ObjectIdentifier{
	crypto.SHA1:   {1, 3, 14, 3, 2, 26},
	crypto.SHA256: oidSHA256,
	crypto.SHA384: {2, 16, 840, 1, 101, 3, 4, 2, 2},
	crypto.SHA512: {2, 16, 840, 1, 101, 3, 4, 2, 3},
}

// gostTokenDER answers a timestamp request with a TimeStampResp holding a
// token of the GOST TSA.
func (p *PKI) gostTokenDER(h crypto.Hash, hashed []byte, nonce *big.Int, at time.Time) (der []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("sigtest: GOST TSA: %v", r)
		}
	}()
	o, ok := hashOIDs[h]
	if !ok {
		return nil, fmt.Errorf("sigtest: GOST TSA: hash %v", h)
	}
	tok := p.gostToken(o, hashed, nonce, at)
	status := tlv(0x30, mustMarshal(0))
	return tlv(0x30, append(status, tok...)), nil
}

// regostDER re-signs a certificate or CRL made by crypto/x509 with a
// stand-in key: the algorithm at index sigAt of the to-be-signed part
// becomes k's, and k signs.
func regostDER(der []byte, sigAt int, k *GOSTKey) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("sigtest: %v", r)
		}
	}()
	return regost(der, sigAt, -1, k, nil), nil
}

// regostOCSP re-signs an OCSP response made by x/crypto/ocsp with a
// stand-in key: the signature algorithm becomes k's, and k signs the
// response data.
func regostOCSP(der []byte, k *GOSTKey) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("sigtest: %v", r)
		}
	}()
	var resp struct {
		Status   asn1.Enumerated
		Response struct {
			Type     asn1.ObjectIdentifier
			Response []byte
		} `asn1:"explicit,tag:0"`
	}
	if _, err := asn1.Unmarshal(der, &resp); err != nil {
		return nil, err
	}
	var basic []asn1.RawValue
	if _, err := asn1.Unmarshal(resp.Response.Response, &basic); err != nil {
		return nil, err
	}
	basic[1] = asn1.RawValue{FullBytes: mustMarshal(struct{ A asn1.ObjectIdentifier }{k.sigOID})}
	sig := k.signDigest(k.Digest(basic[0].FullBytes))
	basic[2] = asn1.RawValue{FullBytes: mustMarshal(asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)})}
	resp.Response.Response = mustMarshal(basic)
	return mustMarshal(resp), nil
}
