//! Archive compression: none, gzip or zstd, picked by the output's extension and sniffed back
//! from an input's first bytes.

use std::io::{self, BufRead, Read, Write};
use std::path::Path;

/// The output extensions `save` accepts, for messages.
pub const EXTENSIONS: &str = ".tar, .tar.gz (.tgz) or .tar.zst (.tzst)";
const ZSTD_LEVEL: i32 = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    Plain,
    Gzip,
    Zstd,
}

impl Compression {
    /// From the output file's extension (case-insensitive); `None` when it is not one of
    /// [`EXTENSIONS`].
    pub fn from_path(path: &Path) -> Option<Self> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        [
            (".tar", Self::Plain),
            (".tar.gz", Self::Gzip),
            (".tgz", Self::Gzip),
            (".tar.zst", Self::Zstd),
            (".tzst", Self::Zstd),
        ]
        .into_iter()
        .find(|(ext, _)| name.len() > ext.len() && name.ends_with(ext))
        .map(|(_, c)| c)
    }

    /// From an archive's first bytes: gzip `1f 8b`, zstd `28 b5 2f fd`, anything else is passed
    /// to `docker load` as it is (a tar, or a format docker itself knows).
    pub fn sniff(head: &[u8]) -> Self {
        if head.starts_with(&[0x1f, 0x8b]) {
            Self::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Self::Zstd
        } else {
            Self::Plain
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Plain => "tar",
            Self::Gzip => "gzip",
            Self::Zstd => "zstd",
        }
    }

    /// Wraps `w`; call [`Encoder::finish`] to complete the stream.
    pub fn encoder<W: Write>(self, w: W) -> io::Result<Encoder<W>> {
        Ok(match self {
            Self::Plain => Encoder::Plain(w),
            Self::Gzip => Encoder::Gzip(flate2::write::GzEncoder::new(
                w,
                flate2::Compression::default(),
            )),
            Self::Zstd => Encoder::Zstd(zstd::stream::write::Encoder::new(w, ZSTD_LEVEL)?),
        })
    }

    /// Decodes `r` (several gzip members or zstd frames in a row are read as one stream).
    pub fn decoder<'a, R: BufRead + 'a>(self, r: R) -> io::Result<Box<dyn Read + 'a>> {
        Ok(match self {
            Self::Plain => Box::new(r),
            Self::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(r)),
            Self::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(r)?),
        })
    }
}

pub enum Encoder<W: Write> {
    Plain(W),
    Gzip(flate2::write::GzEncoder<W>),
    Zstd(zstd::stream::write::Encoder<'static, W>),
}

impl<W: Write> Encoder<W> {
    /// Writes the stream's end and returns the inner writer (not yet flushed).
    pub fn finish(self) -> io::Result<W> {
        match self {
            Self::Plain(w) => Ok(w),
            Self::Gzip(e) => e.finish(),
            Self::Zstd(e) => e.finish(),
        }
    }

    fn inner(&mut self) -> &mut dyn Write {
        match self {
            Self::Plain(w) => w,
            Self::Gzip(e) => e,
            Self::Zstd(e) => e,
        }
    }
}

impl<W: Write> Write for Encoder<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner().write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner().flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_picks_the_compression() {
        let c = |p: &str| Compression::from_path(Path::new(p));
        assert_eq!(c("a.tar"), Some(Compression::Plain));
        assert_eq!(c("dir/a.TAR.GZ"), Some(Compression::Gzip));
        assert_eq!(c("a.tgz"), Some(Compression::Gzip));
        assert_eq!(c("/x/a.b.tar.zst"), Some(Compression::Zstd));
        assert_eq!(c("a.tzst"), Some(Compression::Zstd));
        for bad in ["a.zip", "a.gz", "a.zst", "a.tar.xz", ".tar", "tar", "a"] {
            assert_eq!(c(bad), None, "{bad}");
        }
    }

    #[test]
    fn magic_bytes_pick_the_compression() {
        assert_eq!(Compression::sniff(&[0x1f, 0x8b, 8, 0]), Compression::Gzip);
        assert_eq!(
            Compression::sniff(&[0x28, 0xb5, 0x2f, 0xfd, 0]),
            Compression::Zstd
        );
        assert_eq!(Compression::sniff(b"manifest.json\0\0"), Compression::Plain);
        assert_eq!(Compression::sniff(&[0x28, 0xb5]), Compression::Plain);
        assert_eq!(Compression::sniff(&[0x1f]), Compression::Plain);
        assert_eq!(Compression::sniff(&[]), Compression::Plain);
    }

    fn sample() -> Vec<u8> {
        (0..300_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect()
    }

    #[test]
    fn every_compression_round_trips_and_is_sniffed_back() {
        let data = sample();
        for c in [Compression::Plain, Compression::Gzip, Compression::Zstd] {
            let mut enc = c.encoder(Vec::new()).expect("encoder");
            enc.write_all(&data).expect("encode");
            let encoded = enc.finish().expect("finish");
            assert_eq!(Compression::sniff(&encoded), c, "{}", c.name());
            if c != Compression::Plain {
                assert!(
                    encoded.len() < data.len() / 4,
                    "{} did not compress",
                    c.name()
                );
            }
            let mut decoded = Vec::new();
            c.decoder(&encoded[..])
                .expect("decoder")
                .read_to_end(&mut decoded)
                .expect("decode");
            assert!(decoded == data, "{} round trip differs", c.name());
        }
    }

    #[test]
    fn truncated_streams_fail_to_decode() {
        let data = sample();
        for c in [Compression::Gzip, Compression::Zstd] {
            let mut enc = c.encoder(Vec::new()).expect("encoder");
            enc.write_all(&data).expect("encode");
            let encoded = enc.finish().expect("finish");
            let cut = &encoded[..encoded.len() / 2];
            let mut sink = Vec::new();
            let r = c.decoder(cut).and_then(|mut d| d.read_to_end(&mut sink));
            assert!(r.is_err(), "{} accepted a truncated stream", c.name());
        }
    }
}
