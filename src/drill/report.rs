//! The drill report: each step's duration against its target, the recovery time against the
//! RTO, the measured RPO of each restore point, and the comparison with earlier drills
//! (median per step, trend); and the forecast of a running drill's finish.
