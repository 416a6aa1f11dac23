//! How a post ranks its applicants (interface §2.2): the specialty's keys in
//! the model's order, larger is better, then the seeded lottery.

use std::cmp::Ordering;

use crate::domain::policy::{Flag, Policy, PriorityKey, Specialty};
use crate::domain::records::CandidateRecord;

/// FNV-1a, 64-bit.
pub(crate) fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// SplitMix64 finaliser.
pub(crate) fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = x;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The lottery number of an id under `seed`; smaller ranks higher.
pub(crate) fn lottery(id: &str, seed: u64) -> u64 {
    splitmix64(fnv1a64(id.as_bytes()) ^ seed)
}

fn has_flag(c: &CandidateRecord, f: Flag) -> bool {
    match f {
        Flag::TeacherTraining => c.teacher_training,
        Flag::VolunteerExperience => c.volunteer_experience,
        Flag::StudentLeader => c.student_leader,
    }
}

/// The `major` key: with tiers t1…tk, k − i + 1 for the first tier that
/// matches (t1 → k), 0 if none.
pub(crate) fn major_value(c: &CandidateRecord, s: &Specialty) -> u32 {
    let k = s.tiers.len();
    for (i, t) in s.tiers.iter().enumerate() {
        let by_code = c
            .major_code
            .as_deref()
            .is_some_and(|m| t.codes.iter().any(|p| m.starts_with(p.as_str())));
        if by_code || t.flags.iter().any(|&f| has_flag(c, f)) {
            return (k - i) as u32;
        }
    }
    0
}

/// A candidate's priority at posts of one specialty, ready to compare.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PriorityTuple {
    /// Keys in the model's order (unused slots are 0).
    pub keys: [f64; 4],
    /// Number of keys used.
    pub len: u8,
    /// Lottery number; smaller is better.
    pub lottery: u64,
}

impl PriorityTuple {
    /// Build the tuple of candidate `c` for specialty `s`.
    pub fn new(policy: &Policy, s: &Specialty, c: &CandidateRecord, lottery: u64) -> Self {
        let mut keys = [0.0; 4];
        for (slot, key) in keys.iter_mut().zip(&policy.priority) {
            *slot = match key {
                PriorityKey::Major => f64::from(major_value(c, s)),
                PriorityKey::Volunteer => f64::from(u8::from(c.volunteer_experience)),
                PriorityKey::Leader => f64::from(u8::from(s.leader && c.student_leader)),
                PriorityKey::Score => c.score,
            };
        }
        PriorityTuple {
            keys,
            len: policy.priority.len() as u8,
            lottery,
        }
    }

    /// `Greater` when `self` ranks above `other`.
    pub fn cmp_priority(&self, other: &Self) -> Ordering {
        for i in 0..usize::from(self.len) {
            match self.keys[i].total_cmp(&other.keys[i]) {
                Ordering::Equal => {}
                o => return o,
            }
        }
        other.lottery.cmp(&self.lottery)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_and_splitmix_reference_vectors() {
        // FNV-1a 64 reference values.
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
        // SplitMix64 seeded with 0: first output of the reference generator.
        assert_eq!(splitmix64(0), 0xe220_a839_7b1d_cdaf);
        assert_eq!(splitmix64(1), 0x910a_2dec_8902_5cc1);
    }

    #[test]
    fn lottery_depends_on_seed() {
        assert_ne!(lottery("C00001", 0), lottery("C00001", 7));
        assert_eq!(lottery("C00001", 7), splitmix64(fnv1a64(b"C00001") ^ 7));
    }
}
