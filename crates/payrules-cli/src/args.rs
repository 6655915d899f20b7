//! A small, strict reader of command-line options: `--name value` pairs and positional arguments.

/// Options and positional arguments of one command.
#[derive(Debug, Default)]
pub struct Args<'a> {
    options: Vec<(&'a str, &'a str)>,
    pub positional: Vec<&'a str>,
}

impl<'a> Args<'a> {
    /// Reads `args`, accepting only the option names in `known` (each takes a value).
    pub fn parse(args: &[&'a str], known: &[&str]) -> Result<Args<'a>, String> {
        let mut out = Args::default();
        let mut it = args.iter();
        while let Some(&arg) = it.next() {
            if let Some(name) = arg.strip_prefix("--") {
                let (name, value) = match name.split_once('=') {
                    Some((n, v)) => (n, v),
                    None => (name, *it.next().ok_or_else(|| format!("--{name} needs a value"))?),
                };
                if !known.contains(&name) {
                    return Err(format!("unknown option --{name}"));
                }
                out.options.push((name, value));
            } else {
                out.positional.push(arg);
            }
        }
        Ok(out)
    }

    /// The value of `--name`, if given (the last one counts).
    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.options.iter().rev().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }
}
