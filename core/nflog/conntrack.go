package nflog

// Conntrack is what a logged packet says about its connection tracking
// entry (NFULA_CT and NFULA_CT_INFO, present with the Conntrack flag).
type Conntrack struct {
	State   string // "new", "established", "related", "untracked" or "" when unknown
	Reply   bool   // the packet travels in the reply direction
	Status  uint32 // IPS_* status bits (CTA_STATUS)
	Mark    uint32 // connection mark (CTA_MARK)
	ID      uint32 // entry id (CTA_ID)
	Zone    uint16 // conntrack zone (CTA_ZONE)
	Timeout uint32 // seconds left (CTA_TIMEOUT)
	Use     uint32 // reference count (CTA_USE)
}

// decodeConntrack decodes the ctnetlink attributes in ct and the
// ip_conntrack_info value info. Malformed attributes leave fields zero.
func decodeConntrack(ct []byte, info uint32, hasInfo bool) Conntrack {
	var c Conntrack
	if hasInfo {
		switch {
		case info == ctInfoUntrackd:
			c.State = "untracked"
		case info <= ctInfoIsReply+1: // IP_CT_ESTABLISHED .. IP_CT_RELATED_REPLY
			c.Reply = info >= ctInfoIsReply
			c.State = [...]string{"established", "related", "new"}[info%ctInfoIsReply]
		}
	}
	if len(ct) == 0 {
		return c
	}
	ad := newAttrDecoder(ct)
	for ad.next() {
		switch ad.typ() {
		case ctaStatus:
			c.Status = ad.u32()
		case ctaMark:
			c.Mark = ad.u32()
		case ctaID:
			c.ID = ad.u32()
		case ctaZone:
			c.Zone = ad.u16()
		case ctaTimeout:
			c.Timeout = ad.u32()
		case ctaUse:
			c.Use = ad.u32()
		}
	}
	// A bad attribute ends decoding; what came before stays.
	return c
}
