//! The optional basemap under the web map: a raster XYZ tile template
//! (`--basemap-url`, e.g. `https://tile.openstreetmap.org/{z}/{x}/{y}.png`)
//! and the one origin the map page's Content-Security-Policy then admits
//! for images and fetches. Without it the map draws only our own tiles and
//! the policy names no other origin.

use std::fmt;

/// A raster XYZ tile template of an `http`/`https` origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Basemap {
    template: String,
    origin: String,
}

impl Basemap {
    /// Reads a template: `http://` or `https://`, a host of letters,
    /// digits, `.` and `-` with an optional `:port`, a path holding `{z}`,
    /// `{x}` and `{y}`, and no character that could end a header value or
    /// an HTML attribute (space, quotes, `<`, `>`, `;`, `,`).
    pub fn parse(text: &str) -> Result<Basemap, String> {
        let bad = |why: &str| format!("--basemap-url {text:?}: {why}");
        let rest = text
            .strip_prefix("https://")
            .or_else(|| text.strip_prefix("http://"))
            .ok_or_else(|| bad("must start with https:// or http://"))?;
        let (authority, path) = rest
            .split_once('/')
            .ok_or_else(|| bad("needs a path after the host"))?;
        let (host, port) = match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        };
        let host_ok = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        if !host_ok {
            return Err(bad("the host may hold only letters, digits, '.' and '-'"));
        }
        if port.is_some_and(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_digit())) {
            return Err(bad("the port must be digits"));
        }
        if path
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "\"'<>;,\\`".contains(c))
        {
            return Err(bad("the path holds a character a URL template cannot"));
        }
        for part in ["{z}", "{x}", "{y}"] {
            if !path.contains(part) {
                return Err(bad(&format!("the template needs {part}")));
            }
        }
        let scheme_len = text.len() - rest.len();
        Ok(Basemap {
            template: text.to_owned(),
            origin: format!("{}{authority}", &text[..scheme_len]),
        })
    }

    /// The template as given.
    pub fn template(&self) -> &str {
        &self.template
    }

    /// Its origin, `scheme://host[:port]`, as a CSP source.
    pub fn origin(&self) -> &str {
        &self.origin
    }
}

impl fmt::Display for Basemap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.template)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_yields_its_origin() {
        let b = Basemap::parse("https://tile.openstreetmap.org/{z}/{x}/{y}.png").unwrap();
        assert_eq!(b.origin(), "https://tile.openstreetmap.org");
        let b = Basemap::parse("http://127.0.0.1:8081/t/{z}/{x}/{y}.png").unwrap();
        assert_eq!(b.origin(), "http://127.0.0.1:8081");
        assert_eq!(b.template(), "http://127.0.0.1:8081/t/{z}/{x}/{y}.png");
    }

    #[test]
    fn a_template_that_could_break_the_policy_or_the_page_is_refused() {
        for bad in [
            "ftp://a.org/{z}/{x}/{y}",
            "https://a.org",
            "https://a.org/{z}/{x}.png",
            "https://a.org;script-src *//{z}/{x}/{y}",
            "https://a.org/{z}/{x}/{y}.png' 'unsafe-inline",
            "https://a.org/{z}/{x}/{y}\">",
            "https://a b.org/{z}/{x}/{y}",
            "https://a.org:/{z}/{x}/{y}",
            "https://:80/{z}/{x}/{y}",
        ] {
            assert!(Basemap::parse(bad).is_err(), "{bad}");
        }
    }
}
