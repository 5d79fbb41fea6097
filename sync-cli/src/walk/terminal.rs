//! The terminal [`Prompter`], on the `inquire` crate: text prompts, and menus that filter
//! as you type with Arabic spelling folded ([`fieldsync_schema::input::matches`]), so
//! typing `الامل` finds `فرن الأمل`.
//!
//! Esc skips a question; Ctrl-C cancels the whole record and nothing is stored.

use std::io::{self, IsTerminal as _};

use anyhow::anyhow;
use fieldsync_schema::Lang;
use inquire::error::InquireError;
use inquire::{MultiSelect, Select, Text};

use super::{Prompter, Question};
use crate::lang::pick;

/// Whether questions can be asked: stdin and stderr are both terminals (prompts are drawn
/// on stderr, so stdout stays the new check's id).
pub fn available() -> bool {
    io::stdin().is_terminal() && io::stderr().is_terminal()
}

/// Asks on the terminal with `inquire`.
#[derive(Debug, Clone, Copy)]
pub struct Terminal {
    lang: Lang,
}

impl Terminal {
    /// A terminal prompter whose own messages (cancelled) are in `lang`.
    pub fn new(lang: Lang) -> Self {
        Self { lang }
    }

    /// Maps `inquire`'s result: Esc is a skip, Ctrl-C a cancellation naming what happens.
    fn done<T>(&self, result: Result<Option<T>, InquireError>) -> anyhow::Result<Option<T>> {
        match result {
            Ok(answer) => Ok(answer),
            Err(InquireError::OperationInterrupted) => Err(anyhow!(
                "{}",
                pick(
                    self.lang,
                    "أُلغي الإدخال؛ لم يُسجَّل شيء",
                    "cancelled; nothing was recorded"
                )
            )),
            Err(err) => Err(anyhow!(err).context("asking on the terminal")),
        }
    }
}

/// Scores a menu option for what is typed: kept when the Arabic-folded option contains the
/// folded input (empty input keeps all).
fn arabic_scorer<T>(input: &str, _option: &T, shown: &str, _index: usize) -> Option<i64> {
    (input.trim().is_empty() || fieldsync_schema::input::matches(input, shown)).then_some(0)
}

impl Prompter for Terminal {
    fn text(&mut self, question: &Question) -> anyhow::Result<Option<String>> {
        let mut prompt = Text::new(&question.label);
        if let Some(help) = &question.help {
            prompt = prompt.with_help_message(help);
        }
        self.done(prompt.prompt_skippable())
    }

    fn select(&mut self, question: &Question, options: &[String]) -> anyhow::Result<Option<usize>> {
        let mut prompt =
            Select::new(&question.label, options.to_vec()).with_scorer(&arabic_scorer::<String>);
        if let Some(help) = &question.help {
            prompt = prompt.with_help_message(help);
        }
        let picked = self.done(prompt.raw_prompt_skippable())?;
        Ok(picked.map(|option| option.index))
    }

    fn multi_select(
        &mut self,
        question: &Question,
        options: &[String],
    ) -> anyhow::Result<Option<Vec<usize>>> {
        let mut prompt = MultiSelect::new(&question.label, options.to_vec())
            .with_scorer(&arabic_scorer::<String>);
        if let Some(help) = &question.help {
            prompt = prompt.with_help_message(help);
        }
        let picked = self.done(prompt.raw_prompt_skippable())?;
        Ok(picked.map(|options| options.into_iter().map(|o| o.index).collect()))
    }

    fn refused(&mut self, message: &str) {
        eprintln!("✗ {message}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn menus_filter_with_arabic_spelling_folded() {
        let option = String::new();
        for (input, shown, kept) in [
            ("", "نقص الطحين", true),
            ("الاحتياطي", "فرن الأمل الاحتياطي", true),
            ("امل", "فرن الأمل", true),
            ("power", "Power cut", true),
            ("flour", "Power cut", false),
        ] {
            let got = arabic_scorer(input, &option, shown, 0).is_some();
            assert_eq!(got, kept, "{input:?} in {shown:?}");
        }
    }
}
