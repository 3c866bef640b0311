//! `LIKE` patterns: `%` matches any run of characters, `_` exactly one, and
//! `\` makes the next character literal.

/// Whether `text` matches `pattern`, character by character.
pub fn matches(text: &str, pattern: &str) -> bool {
    let text: Vec<char> = text.chars().collect();
    let pattern = tokens(pattern);
    // Classic two-pointer wildcard matching with backtracking to the last `%`.
    let (mut t, mut p) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(Token::Any) => {
                star = Some((p, t));
                p += 1;
            }
            Some(Token::One) => {
                t += 1;
                p += 1;
            }
            Some(Token::Char(c)) if *c == text[t] => {
                t += 1;
                p += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|tok| *tok == Token::Any)
}

#[derive(Debug, PartialEq)]
enum Token {
    Any,
    One,
    Char(char),
}

fn tokens(pattern: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        out.push(match c {
            '%' => Token::Any,
            '_' => Token::One,
            '\\' => Token::Char(chars.next().unwrap_or('\\')),
            c => Token::Char(c),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn wildcards_match_runs_and_single_characters() {
        assert!(matches("Tubería rota", "Tuber_a%"));
        assert!(matches("Tubería rota", "%rota"));
        assert!(matches("Tubería rota", "%ería%"));
        assert!(!matches("Tubería rota", "%ería"));
        assert!(matches("", "%"));
        assert!(!matches("", "_"));
        assert!(matches("a%b", "a\\%b"));
        assert!(!matches("axb", "a\\%b"));
        assert!(matches("aaa", "%a%a%a%"));
        assert!(!matches("aa", "%a%a%a%"));
    }
}
