package wire

// DecodeGen decodes the attributes of a NEWGEN message and returns the
// ruleset generation id (NFTA_GEN_ID).
func DecodeGen(attrs []byte) (uint32, error) {
	ad, err := newDecoder(attrs)
	if err != nil {
		return 0, decodeErr("generation", err)
	}
	var id uint32
	found := false
	for ad.Next() {
		switch ad.Type() {
		case attrGenID: // NFTA_GEN_ID
			id, found = ad.Uint32(), true
		}
	}
	if err := ad.Err(); err != nil {
		return 0, decodeErr("generation", err)
	}
	if !found {
		return 0, decodeErr("generation", errMissing("NFTA_GEN_ID"))
	}
	return id, nil
}
