//! `adf build --timings`: the report of a real 12-image two-branch DAG build opens in headless
//! Chromium and shows one building bar per image; the file is one HTML page with no URL.

mod common;
use common::{adf_with, cleanup, engine, project, unique};
use std::path::Path;
use std::process::Command;

/// root → a1..a5 and b1..b5 (two branches) → leaf: 12 images.
fn dag(prefix: &str) -> String {
    let mut yaml = format!(
        "build_flags: [\"--network host\"]\nimages:\n  root:\n    build: {{context: ., args: {{BASE_IMAGE: \"adf-fixture/busybox:1\", N: root}}}}\n    tags: [\"{prefix}/root:1\"]\n"
    );
    for branch in ["a", "b"] {
        for i in 1..=5 {
            let parent = if i == 1 {
                "root".to_string()
            } else {
                format!("{branch}{}", i - 1)
            };
            yaml.push_str(&format!(
                "  {branch}{i}:\n    depends_on: [{parent}]\n    build: {{context: ., args: {{N: {branch}{i}}}}}\n    tags: [\"{prefix}/{branch}{i}:1\"]\n"
            ));
        }
    }
    yaml.push_str(&format!(
        "  leaf:\n    depends_on: [a5, b5]\n    build: {{context: ., args: {{N: leaf}}}}\n    tags: [\"{prefix}/leaf:1\"]\n"
    ));
    yaml
}

/// Horizontal bands of the screenshot holding the building bars' colour: one per bar.
fn building_bars(png_path: &Path) -> usize {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(png_path).expect("screenshot"),
    ));
    let mut reader = decoder.read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("png frame");
    let channels = info.color_type.samples();
    let (w, h) = (info.width as usize, info.height as usize);
    let is_bar = |x: usize, y: usize| {
        let p = &buf[(y * w + x) * channels..][..3];
        // #4a90d9, give or take the rasteriser
        p[0].abs_diff(0x4a) < 12 && p[1].abs_diff(0x90) < 12 && p[2].abs_diff(0xd9) < 12
    };
    // the chart starts right of the image names (the legend's swatch is left of it)
    let rows: Vec<bool> = (0..h)
        .map(|y| (280..w).filter(|&x| is_bar(x, y)).count() >= 4)
        .collect();
    rows.windows(2).filter(|p| p[1] && !p[0]).count() + usize::from(rows[0])
}

#[test]
fn the_timings_report_of_a_real_build_renders_one_bar_per_image() {
    let docker = engine();
    let prefix = unique("timings");
    let dir = project(&[
        ("dockerfile-compose.yaml", &dag(&prefix)),
        (
            "Dockerfile",
            "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nARG N\nRUN echo $N > /n\n",
        ),
    ]);
    let out = adf_with(
        dir.path(),
        &["build", "--docker", &docker, "-j", "2", "--timings"],
        &[("DOCKER_BUILDKIT", "1")],
    );
    cleanup(&prefix);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let reports: Vec<_> = std::fs::read_dir(dir.path().join(".adf/timings"))
        .expect("timings dir")
        .map(|e| e.expect("entry").file_name().into_string().expect("utf8"))
        .collect();
    assert_eq!(reports.len(), 2, "{reports:?}");
    assert!(reports.iter().any(|r| r == "adf-timings.html"));
    assert!(out.stderr.contains("adf: timings: "), "{}", out.stderr);
    let page =
        std::fs::read_to_string(dir.path().join(".adf/timings/adf-timings.html")).expect("report");
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.trim_end().ends_with("</html>"));
    assert!(!page.contains("http"), "the page must not name any URL");
    assert!(!page.contains("<script") && !page.contains("<link"));
    assert_eq!(page.matches("class=\"building\"").count(), 12);
    assert!(page.contains("12 images (12 built) in 7 waves"), "{page}");
    // the critical path runs from root down one branch to leaf
    assert!(page.contains("Critical path (7): root → "), "{page}");

    let chromium = which("chromium").expect(
        "headless Chromium renders the report: `bash scripts/engine.sh chromium` installs it",
    );
    let shot = dir.path().join("shot.png");
    let page_url = format!(
        "file://{}",
        dir.path().join(".adf/timings/adf-timings.html").display()
    );
    let run = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1300,1400",
        ])
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&page_url)
        .output()
        .expect("chromium runs");
    assert!(shot.exists(), "{}", String::from_utf8_lossy(&run.stderr));
    assert_eq!(building_bars(&shot), 12);
}

fn which(name: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| Path::new(d).join(name))
        .find(|p| p.is_file())
}
