#include "ui/app/parameter_info.hpp"

#include <QHash>

namespace cbl::ui {

QString unit_from_key(const QString& key) {
    static const std::pair<const char*, const char*> suffixes[] = {
        {"_uS", "µS"}, {"_ns", "ns"},     {"_us", "µs"},         {"_ms", "ms"},
        {"_s", "s"},   {"_pJ", "pJ"},     {"_nJ", "nJ"},         {"_V", "V"},
        {"_uA", "µA"}, {"_bits", "bits"}, {"_pulses", "pulses"}, {"_per_uS", "per µS"}};
    // Longest suffix first so "_per_uS" wins over "_uS".
    if (key.endsWith("_per_uS")) return "per µS";
    for (auto [s, u] : suffixes)
        if (key.endsWith(QLatin1String(s))) return QString::fromUtf8(u);
    return {};
}

ParameterInfo parameter_info(const QString& path) {
    static const QHash<QString, ParameterInfo> table = {
        // Training (digital unit).
        {"training.optimizer.learning_rate",
         {"learning rate η", "Step size of the digital optimizer: dW = −η · gradient", "", 0, 10,
          4}},
        {"training.optimizer.decay",
         {"learning-rate decay", "Factor on η per epoch (exponential) or every decay_epochs (step)",
          "", 0, 1, 3}},
        {"training.optimizer.decay_epochs",
         {"decay every", "Epochs between step decays of η", "epochs", 1, 1000, 0}},
        {"training.optimizer.momentum",
         {"momentum", "Momentum coefficient of the optimizer", "", 0, 1, 3}},
        {"training.seconds_per_image",
         {"device time per image",
          "Simulated wall time of the hardware per training image: sets how much the devices "
          "drift between updates",
          "s", 0, 1e6, 4}},
        {"training.epochs", {"epochs", "Passes over the training set", "", 1, 1000, 0}},
        {"training.batch_size",
         {"batch size", "Images per weight update (seed 002: 1)", "", 1, 4096, 0}},
        // Training scheme.
        {"scheme.eps",
         {"ε (device granularity)",
          "Weight change of one programming pulse: χ accumulates dW and p = trunc(χ/ε) pulses "
          "fire (seed 002: 0.096 = mean SET step of 0.77 µS)",
          "weight units", 0, 10, 4}},
        {"scheme.eps_up",
         {"ε up", "Single-device mapping: weight change of a SET (0 = ε)", "weight units", 0, 10,
          4}},
        {"scheme.eps_down",
         {"ε down", "Single-device mapping: weight change of a RESET step (0 = ε)", "weight units",
          0, 10, 4}},
        {"scheme.refresh_interval",
         {"refresh every",
          "Training images between checks for saturated device pairs, which are then RESET and "
          "re-programmed to the same weight (seed 002: 100; 0 = never)",
          "images", 0, 1e7, 0}},
        {"scheme.quantize_bits",
         {"update-path bits",
          "Activations and errors quantised to signed n-bit numbers before the outer product "
          "(seed 002 section 3: 3 bits; 0 = full precision)",
          "bits", 0, 16, 0}},
        {"scheme.quantize_rounding",
         {"update-path rounding",
          "How activations and errors become n-bit numbers: stochastic (unbiased, seed 002 "
          "section 3) or nearest",
          "", 0, 0, 0}},
        {"scheme.quantize_scale",
         {"update-path scale",
          "fixed: one full scale per vector kind (sparse updates late in training); vector: "
          "each vector's own maximum",
          "", 0, 0, 0}},
        {"scheme.quantize_x_range",
         {"activation full scale",
          "Fixed update-path scale: activations are quantised on [-range, range] (sigmoid "
          "outputs: 1)",
          "", 0, 1e6, 4}},
        {"scheme.quantize_delta_range",
         {"error full scale",
          "Fixed update-path scale: each weight layer's errors are quantised on [-range, range]; "
          "one value per layer, input side first, or one value for all (a softmax error lies in "
          "[-1, 1], a sigmoid layer's is scaled by f' <= 1/4)",
          "", 0, 0, 0}},
        {"scheme.direct_rounding",
         {"direct rounding",
          "direct scheme: dW/ε to pulses by stochastic rounding (right on average), nearest, or "
          "truncate (sub-granule updates never reach the device)",
          "", 0, 0, 0}},
        {"scheme.write_tolerance",
         {"write tolerance", "Program-and-verify target band in units of ε", "ε", 0, 100, 3}},
        {"scheme.write_max_iterations",
         {"write iterations", "Program-and-verify rounds per weight", "", 1, 1000, 0}},
        // Tile.
        {"tile.beta_per_uS",
         {"β (weight per µS)", "Weight units per µS of conductance difference: W = β(G+ − G−)",
          "per µS", 1e-6, 1000, 5}},
        {"tile.g_ref_uS",
         {"reference G", "Single-device mapping: W = β(G − G_ref)", "µS", 0, 1000, 3}},
        {"tile.init_mean_uS",
         {"initial G mean", "Devices start at G ~ N(mean, std) (seed 002: 1.6 µS)", "µS", 0, 1000,
          3}},
        {"tile.init_std_uS",
         {"initial G std", "Spread of the initial conductances (seed 002: 0.83 µS)", "µS", 0, 1000,
          3}},
        {"tile.read_noise",
         {"read noise", "Every crossbar read carries the device's read noise (1/f noise)", "", 0, 1,
          0}},
        {"tile.read_noise_scale",
         {"read-noise scale", "Multiplies the device's read-noise σ (0 = silent reads)", "×", 0,
          100, 2}},
        {"tile.drift",
         {"drift", "PCM conductances decay between pulses, G(t) = G(t_p)((t−t_p)/T0)^−ν", "", 0, 1,
          0}},
        {"tile.drift_tolerance",
         {"drift cache tolerance",
          "Largest relative change of a drift factor before cached drifted weights are "
          "recomputed (a simulator accuracy knob, far below read noise)",
          "", 1e-9, 0.1, 6}},
        {"tile.refresh_threshold_uS",
         {"refresh threshold",
          "A pair with a device above this conductance is refreshed (PCM is unidirectional: a "
          "saturated device can't move further)",
          "µS", 0, 1000, 2}},
        {"tile.refresh_tolerance_uS",
         {"refresh tolerance", "Re-programmed difference must land within this of the old one",
          "µS", 0, 1000, 3}},
        {"tile.refresh_max_pulses",
         {"refresh max pulses", "Programming pulses allowed per refreshed pair", "pulses", 1, 1e5,
          0}},
        {"tile.pairs_per_weight",
         {"pairs per weight",
          "Multi-memristive synapse (Boybat et al. 2018, cited by seed 002): N device pairs share "
          "a weight, W = (β/N) Σ(G+ − G−), and an arbiter deals the pulses out round-robin. Each "
          "pulse then moves W by about ε/N: set ε to match. Costs N crossbar reads per MVM",
          "pairs", 1, 8, 0}},
        {"tile.peripherals.dac_bits",
         {"DAC bits", "Input (row driver) resolution; 0 = ideal", "bits", 0, 16, 0}},
        {"tile.peripherals.adc_bits",
         {"ADC bits", "Column read-out resolution; 0 = ideal", "bits", 0, 16, 0}},
        {"tile.peripherals.adc_range",
         {"ADC range", "Full scale ± of the ADC in output (weight × input) units", "", 1e-6, 1e6,
          3}},
        // PCM (Nandakumar et al. 2018; seed 002 Fig. 2).
        {"device.g_min_uS",
         {"G min", "Lowest conductance (fully amorphous, after RESET)", "µS", 0, 1000, 3}},
        {"device.g_max_uS",
         {"G max", "Highest conductance the device can reach", "µS", 0, 1000, 3}},
        {"device.mu_g",
         {"SET mean: slope", "Mean SET step falls with G: μ = μ_g·G + μ_0 + μ_p·p_n (saturation)",
          "per µS", -10, 10, 4}},
        {"device.mu_0_uS",
         {"SET mean: offset", "Constant part of the mean SET step μ", "µS", -100, 100, 4}},
        {"device.mu_p_uS",
         {"SET mean: history", "Extra step of the first pulses after a RESET (× p_n)", "µS", -100,
          100, 4}},
        {"device.sigma_g",
         {"SET std: slope", "Pulse-to-pulse spread grows with G: σ = σ_g·G + σ_0 + σ_p·p_n",
          "per µS", -10, 10, 4}},
        {"device.sigma_0_uS",
         {"SET std: offset", "Constant part of the SET step spread σ", "µS", -100, 100, 4}},
        {"device.sigma_p_uS",
         {"SET std: history", "Extra spread of the first pulses after RESET", "µS", -100, 100, 4}},
        {"device.n_history",
         {"history length", "p_n = exp(−n / n_history): how fast the first-pulse boost fades",
          "pulses", 0.001, 1000, 3}},
        {"device.reset_mean_uS",
         {"RESET mean G", "Conductance after a RESET pulse", "µS", 0, 1000, 3}},
        {"device.reset_std_uS",
         {"RESET std", "Spread of the conductance after RESET", "µS", 0, 100, 4}},
        {"device.t0_s",
         {"drift T0", "Reference time of drift: G is read T0 after a pulse (seed 002: 38.6 s)", "s",
          1e-9, 1e6, 2}},
        {"device.nu_mean",
         {"drift exponent ν", "Power-law drift G ∝ t^−ν: larger ν = faster decay (PCM: 0.04-0.05)",
          "", 0, 1, 4}},
        {"device.nu_std", {"ν spread", "Device-to-device std of the drift exponent", "", 0, 1, 4}},
        {"device.read_g",
         {"read noise: relative", "Read-noise σ = read_g·G + read_0 (1/f noise of the device)", "",
          0, 10, 4}},
        {"device.read_0_uS",
         {"read noise: floor", "Constant part of the read-noise σ", "µS", 0, 100, 4}},
        {"device.mu_d2d",
         {"device-to-device spread", "Relative std of each device's mean SET step", "", 0, 1, 4}},
        // RRAM (NeuroSim-style).
        {"device.levels", {"levels", "Pulses from G min to G max (Pmax)", "pulses", 1, 1e5, 0}},
        {"device.a_ltp_pulses",
         {"LTP nonlinearity A",
          "G(P) = B(1 − exp(−P/A)) + Gmin for potentiation: smaller A = more nonlinear", "pulses",
          1e-6, 1e6, 2}},
        {"device.a_ltd_pulses",
         {"LTD nonlinearity A", "Nonlinearity of depression", "pulses", 1e-6, 1e6, 2}},
        {"device.c2c",
         {"cycle-to-cycle σ", "Per-pulse spread, fraction of (Gmax − Gmin)", "", 0, 1, 4}},
        {"device.a_d2d", {"A spread", "Device-to-device relative spread of A", "", 0, 0.5, 4}},
        {"device.g_max_d2d",
         {"Gmax spread", "Device-to-device relative spread of Gmax", "", 0, 0.5, 4}},
        {"device.v_read_V", {"read voltage", "Voltage on a row during a read", "V", 0, 10, 3}},
        {"device.t_read_ns", {"read time", "Duration of a read", "ns", 0, 1e6, 2}},
        {"device.v_write_V", {"write voltage", "Amplitude of a programming pulse", "V", 0, 10, 3}},
        {"device.t_write_ns", {"write pulse", "Duration of a programming pulse", "ns", 0, 1e6, 2}},
    };
    auto it = table.find(path);
    if (it != table.end()) return *it;
    ParameterInfo info;
    const QString key = path.section('.', -1);
    info.label = QString(key).replace('_', ' ');
    info.unit = unit_from_key(key);
    info.meaning = path;
    return info;
}

} // namespace cbl::ui
