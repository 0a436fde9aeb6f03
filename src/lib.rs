//! What the `mandel` CLI and the benches share besides the registry (`mandel_registry`): writing
//! files whole ([`atomic`]), turning counts into `.npy` and PNG files ([`image`]), and printing to a
//! reader that may go away ([`outln!`]).

/// Writing a file whole: the crate `mandel-atomic` (crates/atomic), which `mandel-report` uses too.
pub use mandel_atomic as atomic;
pub mod buffer;
pub mod image;

/// `println!` for the CLI's output. A reader that has gone away (`mandel list | head -1`) ends the
/// program quietly with status 141, what a shell reports for a tool stopped by SIGPIPE, as Unix
/// tools end: `println!` panics there (Rust ignores SIGPIPE), exit 101 with a backtrace hint.
#[macro_export]
macro_rules! outln {
    () => {
        $crate::print_line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::print_line(format_args!($($arg)*))
    };
}

/// [`outln!`]'s body: one line to standard output, flushed, so a closed pipe is found at this line.
#[doc(hidden)]
pub fn print_line(line: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{line}").and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(141);
        }
        eprintln!("mandel: error: cannot write to standard output: {e}");
        std::process::exit(2);
    }
}
