//! Random secrets (bearer tokens, enrolment codes) and the hashes stored instead of them.
//!
//! Both come from `rand`'s thread-local generator, a ChaCha-based CSPRNG seeded from the
//! operating system. A token is 32 random bytes in unpadded base64url after `fst_` (256
//! bits, 47 characters: it rides on every request, so it is kept short); a code is 12
//! characters of Crockford's base32 (60 bits, no I, L, O or U, so it reads aloud and types
//! on a phone), shown as `XXXX-XXXX-XXXX`. Only SHA-256 of either is stored: both are
//! random and long, so a slow password hash would add nothing.

use rand::Rng as _;
use sha2::{Digest as _, Sha256};

/// Crockford's base32 alphabet.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Characters in an enrolment code (dashes aside).
pub const CODE_CHARS: usize = 12;

/// A new bearer token: `fst_` and 43 base64url characters (32 random bytes). Tokens are
/// compared only by their hash, so tokens issued in another form (64 hex digits, before
/// this one) keep working.
pub fn new_token() -> String {
    use base64::Engine as _;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let text = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    format!("fst_{text}")
}

/// A new enrolment code, `XXXX-XXXX-XXXX`.
pub fn new_code() -> String {
    let mut rng = rand::rng();
    let chars: Vec<char> = (0..CODE_CHARS)
        .map(|_| char::from(ALPHABET[(rng.next_u32() % 32) as usize]))
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// A code as typed, in canonical form: upper case, without dashes or spaces, with the
/// look-alikes Crockford allows (`O` for 0, `I` and `L` for 1).
///
/// # Errors
/// The text, once normalised, is not [`CODE_CHARS`] characters of the alphabet; the message
/// names the rule (never the text, which may be a secret typed in the wrong place).
pub fn normalise_code(typed: &str) -> Result<String, String> {
    let code: String = typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect();
    let valid = code.chars().count() == CODE_CHARS && code.bytes().all(|b| ALPHABET.contains(&b));
    if valid {
        Ok(code)
    } else {
        Err(format!(
            "an enrolment code is {CODE_CHARS} characters of 0-9 and A-Z without I, L, O and U \
             (dashes optional), e.g. 7K3M-Q9TZ-X2RB"
        ))
    }
}

/// The SHA-256 stored for a token or a (normalised) code.
pub fn hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_codes_are_random_and_well_formed() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 4 + 43);
        assert!(
            a[4..]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "{a}"
        );
        let code = new_code();
        assert_eq!(code.len(), CODE_CHARS + 2, "{code}");
        assert_ne!(code, new_code());
        assert_eq!(normalise_code(&code).expect("own code").len(), CODE_CHARS);
    }

    #[test]
    fn codes_are_normalised_and_bad_ones_name_the_rule() {
        assert_eq!(
            normalise_code(" 7k3m-q9tz-x2rb ").expect("ok"),
            "7K3MQ9TZX2RB"
        );
        assert_eq!(
            normalise_code("OOOO-IIII-LLLL").expect("ok"),
            "000011111111"
        );
        for bad in ["", "7K3M", "7K3M-Q9TZ-X2RU", "7K3M-Q9TZ-X2RB-1"] {
            let err = normalise_code(bad).expect_err(bad);
            assert!(err.contains("12 characters"), "{err}");
        }
        assert_eq!(hash("x"), hash("x"));
        assert_ne!(hash("x"), hash("y"));
    }
}
