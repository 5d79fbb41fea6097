//! The language of form-driven text (labels, hints, choices) and refusals: `--lang ar|en`
//! (env `FIELDSYNC_LANG`), or else the locale.
//!
//! The locale is read as POSIX does for messages: the first of `LC_ALL`, `LC_MESSAGES` and
//! `LANG` that is set and not empty decides; a value starting with `ar` (`ar_SY.UTF-8`,
//! `ar`) means Arabic, anything else (`C`, `en_US.UTF-8`, unset) English.

use fieldsync_schema::Lang;

/// The locale variables, in the order that decides.
const LOCALE_VARS: [&str; 3] = ["LC_ALL", "LC_MESSAGES", "LANG"];

/// The language the locale asks for, reading variables through `get` (tests pass a map;
/// [`from_environment`] passes the process environment).
pub fn from_locale(get: impl Fn(&str) -> Option<String>) -> Lang {
    let locale = LOCALE_VARS
        .iter()
        .filter_map(|var| get(var))
        .find(|value| !value.is_empty());
    match locale {
        Some(value) if value.to_ascii_lowercase().starts_with("ar") => Lang::Ar,
        _ => Lang::En,
    }
}

/// The language of the process's locale (see [`from_locale`]).
pub fn from_environment() -> Lang {
    from_locale(|var| std::env::var(var).ok())
}

/// The value of `--lang` or `FIELDSYNC_LANG`: a language, or `None` for an empty value
/// (`FIELDSYNC_LANG=` in a script), which leaves the choice to the locale as if unset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LangFlag(pub Option<Lang>);

/// Parses `--lang`: `ar`, `en`, or empty for the locale's language.
///
/// # Errors
/// Anything else, naming the value and the choices.
pub fn parse_flag(value: &str) -> Result<LangFlag, String> {
    if value.trim().is_empty() {
        return Ok(LangFlag(None));
    }
    value
        .parse::<Lang>()
        .map(|l| LangFlag(Some(l)))
        .map_err(|e| e.to_string())
}

/// The chosen language: `flag` (from `--lang` or `FIELDSYNC_LANG`) when given and not
/// empty, else the locale's.
pub fn resolve(flag: Option<LangFlag>) -> Lang {
    flag.and_then(|f| f.0).unwrap_or_else(from_environment)
}

/// Picks the text in `lang` from an Arabic and an English one.
pub fn pick<'a>(lang: Lang, ar: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::Ar => ar,
        Lang::En => en,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn detect(vars: &[(&str, &str)]) -> Lang {
        let vars: BTreeMap<&str, &str> = vars.iter().copied().collect();
        from_locale(|var| vars.get(var).map(|v| (*v).to_owned()))
    }

    #[test]
    fn the_first_non_empty_locale_variable_decides() {
        let cases: [(&[(&str, &str)], Lang); 9] = [
            (&[], Lang::En),
            (&[("LANG", "ar_SY.UTF-8")], Lang::Ar),
            (&[("LANG", "AR")], Lang::Ar),
            (&[("LANG", "en_US.UTF-8")], Lang::En),
            (&[("LANG", "C")], Lang::En),
            (&[("LC_MESSAGES", "ar_SY"), ("LANG", "en_US")], Lang::Ar),
            (&[("LC_ALL", "en_GB"), ("LC_MESSAGES", "ar_SY")], Lang::En),
            (&[("LC_ALL", ""), ("LANG", "ar_IQ.UTF-8")], Lang::Ar),
            (&[("LC_ALL", "C.UTF-8"), ("LANG", "ar_SY")], Lang::En),
        ];
        for (vars, want) in cases {
            assert_eq!(detect(vars), want, "{vars:?}");
        }
    }

    #[test]
    fn an_empty_flag_leaves_the_choice_to_the_locale_and_a_bad_one_is_named() {
        assert_eq!(parse_flag(""), Ok(LangFlag(None)));
        assert_eq!(parse_flag(" "), Ok(LangFlag(None)));
        assert_eq!(parse_flag("ar"), Ok(LangFlag(Some(Lang::Ar))));
        let err = parse_flag("fr").expect_err("unknown");
        assert!(err.contains("\"fr\""), "{err}");
    }

    #[test]
    fn a_flag_wins_over_the_locale() {
        assert_eq!(resolve(Some(LangFlag(Some(Lang::Ar)))), Lang::Ar);
        assert_eq!(resolve(Some(LangFlag(Some(Lang::En)))), Lang::En);
        assert_eq!(
            resolve(Some(LangFlag(None))),
            resolve(None),
            "empty is unset"
        );
        assert_eq!(pick(Lang::Ar, "نعم", "yes"), "نعم");
        assert_eq!(pick(Lang::En, "نعم", "yes"), "yes");
    }
}
