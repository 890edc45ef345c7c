package wire

import (
	"errors"
	"fmt"

	"github.com/mdlayher/netlink"

	"github.com/nfsh/nfsh/core/diag"
)

// newDecoder returns a big-endian attribute decoder over b.
func newDecoder(b []byte) (*netlink.AttributeDecoder, error) {
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		return nil, err
	}
	ad.ByteOrder = be
	return ad, nil
}

// decodeErr wraps a decoding failure of what (e.g. "table") as *diag.Error.
func decodeErr(what string, err error) error {
	if err == nil {
		return nil
	}
	var de *diag.Error
	if errors.As(err, &de) && de.Op != "" {
		return err
	}
	return &diag.Error{Op: "decode " + what, Err: err}
}

// errMissing reports a required attribute the kernel did not send.
func errMissing(attr string) error { return fmt.Errorf("missing %s", attr) }

// ptr32 and ptr64 return pointers to copies.
func ptr32(v uint32) *uint32 { return &v }
func ptr64(v uint64) *uint64 { return &v }

// decodeDevs reads a list of NFTA_DEVICE_NAME attributes.
func decodeDevs(ad *netlink.AttributeDecoder) []string {
	var devs []string
	ad.Nested(func(nad *netlink.AttributeDecoder) error {
		for nad.Next() {
			if nad.Type() == attrDeviceName { // NFTA_DEVICE_NAME
				devs = append(devs, nad.String())
			}
		}
		return nil
	})
	return devs
}

// putDevs appends a nested list of NFTA_DEVICE_NAME attributes.
func putDevs(b []byte, typ uint16, devs []string) []byte {
	b, n := nestStart(b, typ)
	for _, d := range devs {
		b = putStrz(b, attrDeviceName, d) // NFTA_DEVICE_NAME
	}
	return nestEnd(b, n)
}
