package ruleset

// The Add methods below are the validating way to grow a value: each checks
// the new object (and its place among its siblings) before adding it, so an
// invalid value is refused where it is built, with an error naming it.

// AddTable validates t and appends it to rs.
func (rs *Ruleset) AddTable(t *Table) error {
	if rs.Table(t.Family, t.Name) != nil {
		return invalid(t.Pos, "table "+t.Family.String()+" "+t.Name, "duplicate table")
	}
	if err := t.Validate(); err != nil {
		return err
	}
	rs.Tables = append(rs.Tables, t)
	return nil
}

// AddChain validates c and appends it to t.
func (t *Table) AddChain(c *Chain) error {
	if t.Chain(c.Name) != nil {
		return invalid(c.Pos, "chain "+t.Family.String()+" "+t.Name+" "+c.Name, "duplicate chain")
	}
	if err := t.validateChain(c); err != nil {
		return err
	}
	t.Chains = append(t.Chains, c)
	return nil
}

// AddSet validates s and appends it to t's named sets.
func (t *Table) AddSet(s *Set) error {
	obj := "set " + t.Family.String() + " " + t.Name + " " + s.Name
	if s.Anonymous() {
		return invalid(s.Pos, obj, "anonymous sets belong to their rule (Rule.Sets)")
	}
	if t.Set(s.Name) != nil {
		return invalid(s.Pos, obj, "duplicate set")
	}
	if err := s.validate(obj); err != nil {
		return err
	}
	t.Sets = append(t.Sets, s)
	return nil
}

// AddObject validates o and appends it to t.
func (t *Table) AddObject(o *Object) error {
	obj := "object " + t.Family.String() + " " + t.Name + " " + o.Name
	if t.Object(o.Type, o.Name) != nil {
		return invalid(o.Pos, obj, "duplicate object")
	}
	if err := checkName(o.Pos, obj, o.Name); err != nil {
		return err
	}
	t.Objects = append(t.Objects, o)
	return nil
}

// AddElements validates the elements against s and appends them.
func (s *Set) AddElements(elems ...*Element) error {
	for _, e := range elems {
		if err := s.validateElement("set "+s.Name, e); err != nil {
			return err
		}
	}
	s.Elements = append(s.Elements, elems...)
	return nil
}

// SetPolicy sets a base chain's policy (true = accept, false = drop).
func (c *Chain) SetPolicy(accept bool) error {
	if c.Hook == nil {
		return invalid(c.Pos, "chain "+c.Name, "only base chains have a policy")
	}
	p := uint32(0) // NF_DROP
	if accept {
		p = 1 // NF_ACCEPT
	}
	c.Hook.Policy = &p
	return nil
}
