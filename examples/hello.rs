//! A bare eframe window, the baseline `scripts/bench` measures the wizard against: same
//! crate, profile, features and window size, one label, and the same start-up probe
//! (`SSO_SCIM_WIZARD_BENCH`, see `sso_scim_wizard::ui::bench`).

use sso_scim_wizard::ui::bench::BenchProbe;

struct Hello {
    bench: Option<BenchProbe>,
}

impl eframe::App for Hello {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        if let Some(bench) = &mut self.bench
            && bench.begin_frame(ui.ctx()) >= 2
        {
            bench.finish(ui.ctx());
        }
        egui::CentralPanel::default().show(ui, |ui| {
            ui.heading("Hello");
        });
    }
}

fn main() -> eframe::Result {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("hello")
            .with_inner_size([1100.0, 720.0]),
        ..Default::default()
    };
    eframe::run_native(
        "hello",
        options,
        Box::new(|_cc| {
            Ok(Box::new(Hello {
                bench: BenchProbe::from_env(),
            }))
        }),
    )
}
