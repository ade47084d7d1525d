#include "app/cli/commands.hpp"

#include "app/cli/args.hpp"
#include "app/cli/progress.hpp"
#include "core/config/schema.hpp"
#include "core/crossbar/mvm_benchmark.hpp"
#include "core/device/characterisation.hpp"
#include "core/device/device_params.hpp"
#include "core/energy/rram_cnn.hpp"
#include "core/experiment/divergence.hpp"
#include "core/experiment/experiment.hpp"
#include "core/experiment/summary.hpp"
#include "core/session/csv_export.hpp"
#include "core/session/session_file.hpp"

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <thread>

#include <unistd.h>

namespace cbl {
namespace {

using cli::Args;

const std::set<std::string> config_options = {
    "--preset",      "--config",     "--set",    "--dataset", "--holdout",
    "--train-limit", "--test-limit", "--epochs", "--seed",    "--threads"};

std::set<std::string> with(std::set<std::string> base, std::initializer_list<std::string> more) {
    base.insert(more);
    return base;
}

/// Builds the experiment config from --preset/--config, --set overrides and the dataset options.
ExperimentConfig config_from(const Args& a, const std::string& default_preset) {
    if (a.has("--preset") && a.has("--config"))
        throw InputError("--preset and --config exclude each other; give one");
    ExperimentConfig c = a.has("--config") ? load_config_file(a.value("--config"))
                                           : load_preset(a.value("--preset", default_preset));
    nlohmann::json j = c;
    for (const auto& s : a.all("--set"))
        apply_override(j, s);
    if (a.has("--dataset")) j["dataset"]["source"] = a.value("--dataset");
    // Shortcuts for --set: the schema checks them and names the field.
    for (const auto& [option, field] : {std::pair{"--holdout", "dataset.holdout"},
                                        {"--train-limit", "dataset.train_limit"},
                                        {"--test-limit", "dataset.test_limit"},
                                        {"--epochs", "training.epochs"},
                                        {"--seed", "training.seed"}})
        if (a.has(option)) apply_override(j, std::string(field) + "=" + a.value(option));
    return j.get<ExperimentConfig>();
}

/// --threads N: the TBB worker limit for the whole process (results must not depend on it).
std::unique_ptr<tbb::global_control> thread_limit(const Args& a) {
    if (!a.has("--threads")) return nullptr;
    return std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                 a.integer("--threads", 1, 1, 256));
}

int cmd_presets(const std::vector<std::string>& argv) {
    Args a(argv, {}, {"--json"});
    nlohmann::json list = nlohmann::json::array();
    for (const auto& name : preset_names()) {
        ExperimentConfig c;
        try {
            c = load_preset(name);
        } catch (const InputError& e) {
            // A broken preset is not offered; the rest stay usable.
            std::cerr << "presets: skipped " << e.what() << "\n";
            continue;
        }
        if (a.flag("--json"))
            list.push_back(
                {{"name", name}, {"description", c.description}, {"reproduces", c.reproduces}});
        else
            std::printf("%-16s %s\n%-16s   (%s)\n", name.c_str(), c.description.c_str(), "",
                        c.reproduces.c_str());
    }
    if (a.flag("--json")) std::cout << list.dump(2) << "\n";
    return 0;
}

/// The parameter schema: every config field with type, default, range, unit, live flag.
int cmd_params(const std::vector<std::string>& argv) {
    Args a(argv, {}, {"--json", "--markdown"});
    if (a.flag("--markdown")) {
        std::cout << schema_markdown();
        return 0;
    }
    nlohmann::json list = nlohmann::json::array();
    for (const FieldSpec& f : parameter_schema()) {
        if (a.flag("--json")) {
            list.push_back({{"path", f.path},
                            {"family", f.family},
                            {"default", f.default_value},
                            {"allowed", f.allowed()},
                            {"unit", f.unit},
                            {"live", f.live},
                            {"when", f.when},
                            {"meaning", f.meaning}});
            continue;
        }
        const std::string where = f.family.empty() ? "" : " [" + f.family + "]";
        std::printf("%-36s %-6s %s\n", (f.path + where).c_str(), f.live ? "live" : "",
                    f.allowed().c_str());
    }
    if (a.flag("--json")) std::cout << list.dump(2) << "\n";
    return 0;
}

/// Trains until the configured number of epochs with a progress bar on stderr.
void run_training(Experiment& e, const std::string& label) {
    const int epochs = e.config().training.epochs;
    const long long total = static_cast<long long>(epochs) * e.epoch_size();
    cli::Progress progress(label, total, "img");
    while (!e.finished()) {
        e.train(std::min(500, e.epoch_size() - e.position()));
        const long long done =
            static_cast<long long>(e.epochs_done()) * e.epoch_size() + e.position();
        char detail[96];
        const double acc = e.history().empty() ? 0 : e.history().back().test_accuracy;
        std::snprintf(detail, sizeof detail, "epoch %d/%d test %.2f%%",
                      std::min(e.epochs_done() + 1, epochs), epochs, 100 * acc);
        progress.update(done, detail);
        // A loss stuck at chance shows at an epoch's end (a NaN or inf throws from train).
        if (const auto why = e.divergence(); e.position() == 0 && !why.empty()) throw Diverged(why);
    }
    progress.finish();
}

void print_human(const nlohmann::json& s) {
    std::printf("preset %s on %s, layers", s["preset"].get<std::string>().c_str(),
                s["dataset"].get<std::string>().c_str());
    for (int n : s["layers"])
        std::printf(" %d", n);
    std::printf("\n%5s %12s %12s %18s %18s\n", "epoch", "train acc %", "test acc %",
                "device updates", "FP-equiv updates");
    for (std::size_t i = 0; i < s["test_accuracy"].size(); ++i) {
        long long dev = 0, fp = 0;
        for (auto v : s["device_updates"][i])
            dev += v.get<long long>();
        for (auto v : s["fp_equivalent_updates"][i])
            fp += v.get<long long>();
        std::printf("%5zu %12.2f %12.2f %18lld %18lld\n", i + 1,
                    100 * s["train_accuracy"][i].get<double>(),
                    100 * s["test_accuracy"][i].get<double>(), dev, fp);
    }
    std::printf("%.0f images/s, %.1f s wall\n", s["images_per_second"].get<double>(),
                s["wall_seconds"].get<double>());
}

/// A session plus the data it names (the dataset options may override where the data is).
/// With `more_epochs` >= 0 the run is extended to that many epochs beyond those done: the
/// config's target changes before the experiment exists, so the extension is no event on the
/// timeline and a resumed run ends exactly as an uninterrupted one (issue 7).
std::unique_ptr<Experiment> resume_session(const Args& a, const std::string& path,
                                           long long more_epochs = -1) {
    ExperimentState st = load_session(path);
    if (more_epochs >= 0)
        st.config["training"]["epochs"] = static_cast<long long>(st.history.size()) + more_epochs;
    if (a.has("--dataset")) st.config["dataset"]["source"] = a.value("--dataset");
    if (a.has("--holdout")) st.config["dataset"]["holdout"] = a.integer("--holdout", 0, 1, 1 << 28);
    const ExperimentConfig c = st.config.get<ExperimentConfig>();
    auto data = std::make_shared<const DataSplit>(load_dataset(c.dataset));
    return std::make_unique<Experiment>(st, data);
}

/// A run whose result cannot be saved must say so before it trains, not after: the target's
/// folder must exist and take new files (the atomic save writes a temporary beside it).
void require_writable_target(const std::string& path) {
    namespace fs = std::filesystem;
    const fs::path target(path);
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    if (fs::is_directory(target)) throw InputError("--out " + path + " is a folder, not a file");
    if (!fs::is_directory(dir))
        throw InputError("--out " + path + ": the folder " + dir.string() + " does not exist");
    if (::access(dir.c_str(), W_OK) != 0)
        throw InputError("--out " + path + ": the folder " + dir.string() + " is not writable");
}

int cmd_train(const std::vector<std::string>& argv) {
    Args a(argv, with(config_options, {"--out", "--resume"}), {"--json", "--allow-divergence"});
    if (a.has("--out")) require_writable_target(a.value("--out"));
    const auto limit = thread_limit(a);
    const auto t0 = std::chrono::steady_clock::now();
    std::unique_ptr<Experiment> e;
    if (a.has("--resume")) {
        for (const char* o :
             {"--preset", "--config", "--set", "--seed", "--train-limit", "--test-limit"})
            if (a.has(o))
                throw InputError(std::string(o) + " cannot change a resumed session; "
                                                  "only --epochs N (more epochs) applies");
        // --epochs N trains N more epochs (CLI.md).
        e = resume_session(a, a.value("--resume"), a.integer("--epochs", 1, 0, 100000));
    } else {
        const ExperimentConfig c = config_from(a, "fp32");
        e = std::make_unique<Experiment>(
            c, std::make_shared<const DataSplit>(load_dataset(c.dataset)));
    }
    try {
        run_training(*e, e->config().name);
    } catch (const Diverged& d) {
        // Without --allow-divergence: exit non-zero, nothing saved. With it: the report goes to
        // stderr and the summary (diverged: true) and session are those of the state it stopped
        // at (the last good one after a NaN or inf).
        if (!a.flag("--allow-divergence")) throw;
        std::cerr << "crossbarlab-cli: " << d.what() << "\n";
    }
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (a.has("--out"))
        save_session(a.value("--out"), e->state(),
                     {CROSSBARLAB_VERSION, "", e->data().description});
    const nlohmann::json s = summary_json(*e, wall);
    if (a.flag("--json"))
        std::cout << s.dump() << "\n";
    else
        print_human(s);
    return 0;
}

int cmd_device(const std::vector<std::string>& argv) {
    Args a(argv,
           {"--preset", "--set", "--devices", "--pulses", "--init-uS", "--seed", "--threads",
            "--histogram-after"},
           {"--json", "--no-read-noise"});
    const auto limit = thread_limit(a);
    // --preset names a device family (pcm) or an experiment preset whose device is PCM.
    const std::string name = a.value("--preset", "pcm");
    nlohmann::json device;
    const auto experiments = preset_names();
    if (std::find(experiments.begin(), experiments.end(), name) != experiments.end())
        device = load_preset(name).tile.device;
    else
        device = DeviceParams::of_family(name);
    for (const auto& s : a.all("--set"))
        apply_override(device, s);
    const DeviceParams params = device.get<DeviceParams>();
    if (!params.is_pcm())
        throw InputError("--preset " + name +
                         ": device characterisation models PCM (seed 002 "
                         "Fig. 2); this device is " +
                         params.family());
    CharacterisationOptions o;
    o.devices = static_cast<int>(a.integer("--devices", o.devices, 1, 1'000'000));
    o.pulses = static_cast<int>(a.integer("--pulses", o.pulses, 1, 1000));
    o.histogram_after =
        static_cast<int>(a.integer("--histogram-after", std::min(15, o.pulses), 1, o.pulses));
    o.seed = static_cast<std::uint64_t>(
        a.integer("--seed", 1, 0, std::numeric_limits<long long>::max()));
    o.read_noise = !a.flag("--no-read-noise");
    if (a.has("--init-uS")) {
        const auto v = a.numbers("--init-uS");
        if (v.size() != 1) throw InputError("--init-uS takes one number [uS]");
        o.init_uS = v[0];
    }
    o.validate();
    const CharacterisationResult r = characterise_pcm(std::get<PcmParams>(params.model), o);
    const nlohmann::json j = to_json(r);
    if (a.flag("--json")) {
        std::cout << j.dump() << "\n";
    } else {
        std::printf("%6s %12s %12s %14s %14s\n", "pulse", "mean [uS]", "std [uS]", "model mean",
                    "model std");
        for (std::size_t i = 0; i < r.pulses.size(); ++i)
            std::printf("%6d %12.3f %12.3f %14.3f %14.3f\n", r.pulses[i], r.mean_uS[i], r.std_uS[i],
                        r.model_mean_uS[i], r.model_std_uS[i]);
    }
    return 0;
}

int cmd_drift(const std::vector<std::string>& argv) {
    Args a(argv, {"--session", "--times", "--dataset", "--holdout", "--threads"},
           {"--json", "--compensate"});
    const auto limit = thread_limit(a);
    if (!a.has("--session")) throw InputError("drift needs --session FILE.h5");
    const auto e = resume_session(a, a.value("--session"));
    const std::vector<double> times =
        a.has("--times") ? a.numbers("--times") : std::vector<double>{1, 3600, 86400, 2592000};
    if (times.empty()) throw InputError("--times needs at least one time [s]");
    const DriftCurve c = e->drift_curve(times);
    nlohmann::json j = {
        {"times_s", c.times_s},
        {"test_accuracy", a.flag("--compensate") ? c.test_accuracy_compensated : c.test_accuracy},
        {"test_accuracy_uncompensated", c.test_accuracy},
        {"test_accuracy_compensated", c.test_accuracy_compensated},
        {"compensated", a.flag("--compensate")},
        {"trained_epochs", e->epochs_done()}};
    if (a.flag("--json")) {
        std::cout << j.dump() << "\n";
    } else {
        std::printf("%14s %18s %18s\n", "time [s]", "test acc %", "compensated %");
        for (std::size_t i = 0; i < times.size(); ++i)
            std::printf("%14g %18.2f %18.2f\n", times[i], 100 * c.test_accuracy[i],
                        100 * c.test_accuracy_compensated[i]);
    }
    return 0;
}

int cmd_export(const std::vector<std::string>& argv) {
    Args a(argv, {"--session", "--csv"}, {"--json"});
    if (!a.has("--session") || !a.has("--csv"))
        throw InputError("export needs --session FILE.h5 and --csv DIR");
    const auto files = export_csv(load_session(a.value("--session")), a.value("--csv"));
    if (a.flag("--json"))
        std::cout << nlohmann::json{{"files", files}}.dump() << "\n";
    else
        for (const auto& f : files)
            std::cout << f << "\n";
    return 0;
}

int cmd_seed001(const std::vector<std::string>& argv) {
    Args a(argv, {"--network", "--dynamic-bits"}, {"--json"});
    Seed001Config c;
    if (a.has("--network")) c.layers = seed001_network(a.value("--network"));
    c.dynamic_bits = static_cast<int>(a.integer("--dynamic-bits", c.dynamic_bits, 1, 16));
    c.validate();
    const nlohmann::json j = seed001_report(c);
    std::cout << (a.flag("--json") ? j.dump() : j.dump(2)) << "\n";
    return 0;
}

/// The middle value (the mean of the middle two for an even count).
double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

int cmd_bench(const std::vector<std::string>& argv) {
    Args a(argv, {"--images", "--dataset", "--threads", "--rounds", "--preset"}, {"--json"});
    const auto limit = thread_limit(a);
    const long long images = a.integer("--images", 4000, 200, 10'000'000);
    const int rounds = int(a.integer("--rounds", 3, 1, 50));
    DatasetSpec spec;
    spec.source = a.value("--dataset", "fashion-mnist");
    spec.train_limit = static_cast<int>(images);
    spec.test_limit = 100;
    auto data = std::make_shared<const DataSplit>(load_dataset(spec));
    nlohmann::json out;
    using clock = std::chrono::steady_clock;
    const auto seconds_since = [](clock::time_point t0) {
        return std::chrono::duration<double>(clock::now() - t0).count();
    };
    // Every scheme trains the same 785-250-10 network on the same images in this one process,
    // so the ratios compare like with like on a shared, noisy machine. The schemes take turns,
    // round after round, and each reports its median: a moment of contention on the machine
    // then costs one sample, not the ratio.
    // --preset A --preset B: only those (each on its own network), named presets must exist.
    const bool named = a.has("--preset");
    const std::vector<std::string> schemes =
        named ? a.all("--preset")
              : std::vector<std::string>{"fp32",           "fp64",       "mca-pcm",
                                         "mca-pcm-single", "direct-pcm", "time-rram"};
    const auto available = preset_names();
    std::map<std::string, std::vector<double>> samples;
    for (int round = 0; round < rounds; ++round)
        for (const std::string& name : schemes) {
            if (!named && std::find(available.begin(), available.end(), name) == available.end())
                continue;
            ExperimentConfig c = load_preset(name);
            c.training.epochs = 1;
            c.dataset = spec;
            Experiment e(c, data);
            // Warm caches and allocations first, then time the rest of the epoch (no
            // evaluation).
            const int warm = std::min(100, e.epoch_size() / 10);
            e.train(warm);
            const auto t0 = clock::now();
            const int n = e.train(e.epoch_size() - warm - 1);
            samples[name].push_back(n / seconds_since(t0));
        }
    for (const auto& [name, v] : samples) {
        out["images_per_second"][name] = median(v);
        std::cerr << name << ": " << static_cast<long long>(median(v)) << " images/s\n";
    }
    // Several runs at once (side-by-side comparisons) each get their own thread: two mca-pcm runs
    // together against one alone, timed alike (built and warmed before the clock starts, then
    // the same images, no evaluation), the lone run just before the pair, in as many rounds;
    // the ratio is the median of the rounds' ratios. Each of the pair works in a one-thread
    // task arena, so the two never share or oversubscribe TBB's workers (results do not depend
    // on the thread count).
    if (out["images_per_second"].contains("mca-pcm")) {
        ExperimentConfig c = load_preset("mca-pcm");
        c.training.epochs = 1;
        c.dataset = spec;
        struct Run {
            std::unique_ptr<Experiment> e;
            std::unique_ptr<tbb::task_arena> arena;
            int warm = 0;
            int train() {
                int n = 0;
                arena->execute([&] { n = e->train(e->epoch_size() - warm - 1); });
                return n;
            }
        };
        auto prepare = [&](std::uint64_t seed, int threads) {
            Run r;
            r.arena = threads > 0 ? std::make_unique<tbb::task_arena>(threads)
                                  : std::make_unique<tbb::task_arena>();
            r.arena->execute([&] {
                ExperimentConfig mine = c;
                mine.training.seed = seed;
                r.e = std::make_unique<Experiment>(mine, data);
                r.warm = std::min(100, r.e->epoch_size() / 10);
                r.e->train(r.warm);
            });
            return r;
        };
        std::vector<double> ones, twos, ratios;
        for (int round = 0; round < rounds; ++round) {
            Run alone = prepare(1, 0);
            auto t0 = clock::now();
            const int n_alone = alone.train();
            const double one = n_alone / seconds_since(t0);
            alone.e.reset();
            Run first = prepare(1, 1), second = prepare(2, 1);
            t0 = clock::now();
            int n_second = 0;
            std::thread other([&] { n_second = second.train(); });
            const int n_first = first.train();
            other.join();
            const double two = (n_first + n_second) / seconds_since(t0);
            ones.push_back(one);
            twos.push_back(two);
            ratios.push_back(two / one);
        }
        out["side_by_side"] = {{"runs", 2},
                               {"rounds", rounds},
                               {"one_run_images_per_second", median(ones)},
                               {"two_runs_images_per_second", median(twos)},
                               {"ratio", median(ratios)},
                               {"ratio_per_round", ratios}};
        std::cerr << "2 x mca-pcm side by side: " << static_cast<long long>(median(twos))
                  << " images/s (" << median(ratios) << "x one run, median of " << rounds
                  << " rounds)\n";
    }
    if (out["images_per_second"].contains("fp32")) {
        const double fp32 = out["images_per_second"]["fp32"].get<double>();
        for (const auto& [name, ips] : out["images_per_second"].items())
            out["ratio_to_fp32"][name] = ips.get<double>() / fp32;
    }

    // One 250x785 forward MVM with the full PCM read model vs the plain FP32 Eigen MVM, on the
    // dataset's images (rows with zero input are not driven) and on dense random inputs.
    std::vector<Eigen::VectorXf> inputs;
    for (int i = 0; i < std::min(256, data->train.size()); ++i) {
        Eigen::VectorXf x(data->train.features() + 1);
        x << data->train.images.col(i), 1.0f;
        inputs.push_back(std::move(x));
    }
    const MvmBenchmarkResult mvm = run_mvm_benchmark(inputs);
    out["mvm_ratio_pcm_to_fp32"] = mvm.ratio_inputs;
    out["mvm_ratio_pcm_to_fp32_dense"] = mvm.ratio_dense;
    out["mvm"] = to_json(mvm);
    out["bytes_per_synapse"]["pcm"] = mvm.bytes_per_synapse;
    out["bytes_per_synapse"]["fp32"] = sizeof(float);
    out["images"] = images;
    out["rounds"] = rounds;
    out["dataset"] = data->name;
    if (!named) out["layers"] = {785, 250, 10};
    std::cout << (a.flag("--json") ? out.dump() : out.dump(2)) << "\n";
    return 0;
}

void usage() {
    std::cerr << "usage: crossbarlab-cli COMMAND [options]\n"
                 "commands:\n"
                 "  presets                 list the experiment presets\n"
                 "  params                  every config field: range, unit, live (--markdown)\n"
                 "  train                   train an experiment (--preset/--config, --json, ...)\n"
                 "  bench                   throughput of every scheme on 785-250-10 (--json)\n"
                 "  device                  PCM characterisation, seed 002 Fig. 2 (--json)\n"
                 "  drift                   test accuracy at times after training (--session)\n"
                 "  export                  session metrics and conductances to CSV\n"
                 "  seed001                 RRAM CNN accelerator: encoding + dynamic quantization\n"
                 "see shared/design/CLI.md and README.md for the options\n";
}

} // namespace

int run_cli(const std::vector<std::string>& args) {
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        usage();
        return args.empty() ? 2 : 0;
    }
    const std::map<std::string, std::function<int(const std::vector<std::string>&)>> commands = {
        {"presets", cmd_presets}, {"params", cmd_params},  {"train", cmd_train},
        {"bench", cmd_bench},     {"device", cmd_device},  {"drift", cmd_drift},
        {"export", cmd_export},   {"seed001", cmd_seed001}};
    const auto it = commands.find(args[0]);
    if (it == commands.end()) {
        usage();
        throw InputError("unknown command " + args[0]);
    }
    return it->second(std::vector<std::string>(args.begin() + 1, args.end()));
}

} // namespace cbl
