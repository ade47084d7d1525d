#include "app/cli/commands.hpp"

#include "app/cli/accelerator_command.hpp"
#include "app/cli/args.hpp"
#include "app/cli/mpi_job.hpp"
#include "app/cli/png_image.hpp"
#include "app/cli/progress.hpp"
#include "core/accelerator/accelerator_designs.hpp"
#include "core/config/schema.hpp"
#include "core/crossbar/mvm_benchmark.hpp"
#include "core/device/characterisation.hpp"
#include "core/device/device_params.hpp"
#include "core/energy/rram_cnn.hpp"
#include "core/experiment/divergence.hpp"
#include "core/experiment/experiment.hpp"
#include "core/experiment/gan_run.hpp"
#include "core/experiment/rl_run.hpp"
#include "core/experiment/summary.hpp"
#include "core/session/csv_export.hpp"
#include "core/session/session_file.hpp"
#include "core/sweep/sweep.hpp"

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

#include <unistd.h>

namespace cbl {
namespace {

using cli::Args;
using cli::flag;
using cli::Option;
using cli::valued;
using cli::whole;
using Options = std::vector<Option>;

/// Defaults as the help shows them: "0.06", not "0.060000".
std::string number_text(double v) {
    std::ostringstream s;
    s << std::setprecision(12) << v;
    return s.str();
}

/// A list as the help shows it: "a, b, c".
template <class T, class Text>
std::string joined(const std::vector<T>& items, const std::string& sep, Text text) {
    std::string out;
    for (const T& item : items) {
        if (!out.empty()) out += sep;
        out += text(item);
    }
    return out;
}

std::string joined(const std::vector<std::string>& items, const std::string& sep) {
    return joined(items, sep, [](const std::string& s) { return s; });
}

/// What a resumed session keeps as it was saved: options that would change it are refused.
const std::vector<std::string> fixed_on_resume = {
    "--preset", "--config", "--set", "--seed", "--train-limit", "--test-limit", "--env"};

/// Options that are shortcuts for --set on one config field: the schema checks them and names
/// the field, and their help takes range and unit from the same schema entry.
const std::vector<std::pair<std::string, std::string>> shortcuts = {
    {"--holdout", "dataset.holdout"},
    {"--train-limit", "dataset.train_limit"},
    {"--test-limit", "dataset.test_limit"},
    {"--epochs", "training.epochs"},
    {"--seed", "training.seed"}};

/// The shortcut `name` as an option: the meaning and range of its field, then `more`.
Option shortcut(const std::string& name, const std::string& fallback,
                const std::string& more = "") {
    const auto it = std::find_if(shortcuts.begin(), shortcuts.end(),
                                 [&](const auto& s) { return s.first == name; });
    const FieldSpec* f = find_field(it->second);
    Option o = valued(name, "N", f->meaning + " (as --set " + f->path + "=N)" + more, fallback);
    o.range = f->allowed();
    // A resumed session takes some of them as they are (resume_session): same range.
    if (f->hi <= double(std::numeric_limits<int>::max()))
        o.whole = cli::Whole{static_cast<long long>(f->lo), static_cast<long long>(f->hi), {}};
    return o;
}

Option json_flag(const std::string& what) {
    return flag("--json", what);
}

Option threads_option() {
    return whole("--threads", "TBB worker threads; results do not depend on it", 1, 256,
                 std::nullopt, "one per core");
}

Option dataset_option(const std::string& fallback) {
    return valued("--dataset", "SPEC",
                  "fashion-mnist, mnist, synthetic, text:FILE, or a folder of IDX files or "
                  "CIFAR-10 binary batches",
                  fallback);
}

/// train's options: an experiment config, its data, where the session goes.
Options train_options() {
    return {
        valued("--preset", "NAME",
               "experiment preset (crossbarlab-cli presets lists them); excludes --config", "fp32"),
        valued("--config", "FILE.json",
               "experiment config, the schema a GUI session saves; excludes --preset"),
        valued("--set", "KEY=VALUE",
               "override one config field by its dotted path (crossbarlab-cli params lists "
               "them); repeatable"),
        dataset_option("the preset's"),
        shortcut("--holdout", "the preset's"),
        shortcut("--train-limit", "the preset's"),
        shortcut("--test-limit", "the preset's"),
        shortcut("--epochs", "the preset's; with --resume 1 (a GAN session: to training.epochs)",
                 "; with --resume: that many more"),
        shortcut("--seed", "the preset's"),
        valued("--env", "NAME",
               "control task of a deep-RL preset (task = rl): " +
                   joined(rl::environment_names(), ", ") +
                   " (as --set rl.env=NAME); refused for a supervised preset",
               "the preset's"),
        threads_option(),
        valued("--out", "FILE.h5",
               "save the session at the end (its folder must exist and be writable)"),
        valued("--resume", "FILE.h5",
               "continue a saved session (--epochs N: N more; a deep-RL session plays on to "
               "rl.episodes, a GAN session without --epochs trains on to training.epochs); "
               "refuses " +
                   joined(fixed_on_resume, ", ")),
        json_flag("print the summary object on stdout (its keys: docs/cli.md)"),
        valued("--samples", "FILE.png",
               "a GAN run (task = gan): save a 10 x 10 grid of generated images after training "
               "(the first 100 of the Fréchet distance's noise)"),
        flag("--allow-divergence",
             "a diverged run (non-finite values, or a loss at chance for "
             "training.divergence_epochs epochs) exits 0 with \"diverged\": true")};
}

/// Builds the experiment config from --preset/--config, --set overrides and the dataset options.
/// `sets`: the --set overrides to apply (default: all of them).
ExperimentConfig config_from(const Args& a, const std::string& default_preset,
                             const std::vector<std::string>* sets = nullptr) {
    if (a.has("--preset") && a.has("--config"))
        throw InputError("--preset and --config exclude each other; give one");
    ExperimentConfig c = a.has("--config") ? load_config_file(a.value("--config"))
                                           : load_preset(a.value("--preset", default_preset));
    nlohmann::json j = c;
    for (const auto& s : sets ? *sets : a.all("--set"))
        apply_override(j, s);
    if (a.has("--dataset")) j["dataset"]["source"] = a.value("--dataset");
    for (const auto& [option, field] : shortcuts)
        if (a.has(option)) apply_override(j, field + "=" + a.value(option));
    if (a.has("--env")) {
        const auto& envs = rl::environment_names();
        const std::string env = a.value("--env");
        if (std::find(envs.begin(), envs.end(), env) == envs.end())
            throw InputError("--env " + env + " is not a task; allowed: " + joined(envs, ", "));
        apply_override(j, "rl.env=" + env);
    }
    ExperimentConfig out = j.get<ExperimentConfig>();
    if (a.has("--env") && out.task != "rl")
        throw InputError("--env applies to deep-RL presets (task = rl); " + out.name +
                         " is supervised (task = " + out.task + ")");
    return out;
}

/// What a deep-RL run has no use for: it plays episodes, not a dataset.
const std::vector<std::string> supervised_only = {"--dataset", "--holdout", "--train-limit",
                                                  "--test-limit", "--epochs"};

/// --threads N: the TBB worker limit for the whole process (results must not depend on it).
std::unique_ptr<tbb::global_control> thread_limit(const Args& a) {
    if (!a.has("--threads")) return nullptr;
    return std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                 a.integer("--threads"));
}

int cmd_presets(const Args& a) {
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
int cmd_params(const Args& a) {
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

/// The data a session names; --dataset and --holdout may say where it is now (they change the
/// session's config).
std::shared_ptr<const DataSplit> resumed_data(const Args& a, ExperimentState& st) {
    if (a.has("--dataset")) st.config["dataset"]["source"] = a.value("--dataset");
    if (a.has("--holdout")) st.config["dataset"]["holdout"] = a.integer("--holdout");
    const ExperimentConfig c = st.config.get<ExperimentConfig>();
    return std::make_shared<const DataSplit>(load_dataset(c.dataset));
}

/// A session plus the data it names (the dataset options may override where the data is).
/// With `more_epochs` >= 0 the run is extended to that many epochs beyond those done: the
/// config's target changes before the experiment exists, so the extension is no event on the
/// timeline and a resumed run ends exactly as an uninterrupted one (issue 7).
std::unique_ptr<Experiment> resume_session(const Args& a, ExperimentState st,
                                           long long more_epochs = -1) {
    if (more_epochs >= 0)
        st.config["training"]["epochs"] = static_cast<long long>(st.history.size()) + more_epochs;
    auto data = resumed_data(a, st);
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

/// Plays a deep-RL run's episodes with a progress bar on stderr (episodes, as the supervised
/// bar counts images).
void run_episodes(RlRun& run, const std::string& label) {
    const int budget = run.config().rl.episodes;
    cli::Progress progress(label, budget, "ep");
    while (!run.finished()) {
        const double reward = run.run_episode();
        const auto& a = run.agent();
        char detail[112];
        std::snprintf(detail, sizeof detail, "reward %.0f mean100 %.1f steps %llu", reward,
                      a.mean_reward_100(), static_cast<unsigned long long>(a.environment_steps()));
        progress.update(static_cast<long long>(a.episode_rewards().size()), detail);
    }
    progress.finish();
}

void print_human_rl(const nlohmann::json& s) {
    std::printf("preset %s on %s, layers", s["preset"].get<std::string>().c_str(),
                s["environment"].get<std::string>().c_str());
    for (int n : s["layers"])
        std::printf(" %d", n);
    long long updates = 0;
    for (auto v : s["device_updates"])
        updates += v.get<long long>();
    std::printf("\n%zu episodes, %llu environment steps, mean reward of the last 100: %.1f\n"
                "%lld device updates, %.0f environment steps/s, %.1f s wall\n",
                s["episodes"].get<std::size_t>(), s["environment_steps"].get<unsigned long long>(),
                s["mean_reward_100"].get<double>(), updates,
                s["environment_steps_per_second"].get<double>(), s["wall_seconds"].get<double>());
}

/// train for a config with task = rl (a fresh run or a resumed session): the DQN plays its
/// episodes up to the budget; no dataset. --out saves the run between episodes.
int train_rl(const Args& a, RlRun& run) {
    for (const std::string& o : supervised_only)
        if (a.has(o))
            throw InputError(o + " does not apply to a deep-RL run (task = rl); set the budget "
                                 "with --set rl.episodes=N");
    if (a.has("--out")) require_writable_target(a.value("--out"));
    const auto t0 = std::chrono::steady_clock::now();
    try {
        run_episodes(run, run.config().name);
    } catch (const Diverged& d) {
        if (!a.flag("--allow-divergence")) throw;
        std::cerr << "crossbarlab-cli: " << d.what() << "\n";
    }
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (a.has("--out") && !run.divergence().empty())
        std::cerr << "crossbarlab-cli: " << a.value("--out")
                  << " not saved: the run diverged and its weights are not finite\n";
    else if (a.has("--out"))
        save_session(a.value("--out"), run.state(),
                     {CROSSBARLAB_VERSION, "", run.dataset_description(), {}, {}});
    const nlohmann::json s = rl_summary_json(run, wall);
    if (a.flag("--json"))
        std::cout << s.dump() << "\n";
    else
        print_human_rl(s);
    return 0;
}

/// train for a config with task = gan (a fresh run or a resumed session): alternating steps over
/// the epochs with a progress bar on stderr (real training images), the Fréchet distance after
/// each epoch. --out saves the run at the end.
int train_gan(const Args& a, GanRun& run) {
    if (a.has("--out")) require_writable_target(a.value("--out"));
    const ExperimentConfig& c = run.config();
    const auto t0 = std::chrono::steady_clock::now();
    const int b = c.gan.batch_size;
    cli::Progress progress(
        c.name, static_cast<long long>(c.training.epochs) * run.steps_per_epoch() * b, "img");
    std::string divergence;
    try {
        while (!run.finished()) {
            run.train(5);
            char detail[96];
            const int epoch = std::min(run.epochs_done() + 1, c.training.epochs);
            // The Fréchet distance of the last epoch done; none before the first one ends.
            if (run.history().empty())
                std::snprintf(detail, sizeof detail, "epoch %d/%d", epoch, c.training.epochs);
            else
                std::snprintf(detail, sizeof detail, "epoch %d/%d FD %.2f", epoch,
                              c.training.epochs, run.history().back().frechet_distance);
            progress.update(static_cast<long long>(run.images_trained()), detail);
        }
        progress.finish();
    } catch (const Diverged& d) {
        if (!a.flag("--allow-divergence")) throw;
        std::cerr << "crossbarlab-cli: " << d.what() << "\n";
        divergence = d.what();
    }
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    // A diverged GAN has no last good state to save (its weights are not finite): said, not saved.
    if (a.has("--out") && !divergence.empty())
        std::cerr << "crossbarlab-cli: " << a.value("--out")
                  << " not saved: the run diverged and its weights are not finite\n";
    else if (a.has("--out"))
        save_session(a.value("--out"), run.state(),
                     {CROSSBARLAB_VERSION, "", run.data().description, {}, {}});
    const nlohmann::json s = gan_summary_json(run, wall, divergence);
    if (a.has("--samples")) {
        const int side = run.data().train.height;
        if (run.data().train.width != side || run.data().train.channels != 1)
            throw InputError("--samples draws square greyscale images; " + run.data().name +
                             " has other shapes");
        cli::write_image_grid_png(a.value("--samples"), run.samples(100), side, 10);
    }
    if (a.flag("--json")) {
        std::cout << s.dump() << "\n";
        return 0;
    }
    std::printf("preset %s on %s\n%5s %12s %12s %12s\n", c.name.c_str(),
                run.data().description.c_str(), "epoch", "FD", "loss D", "loss G");
    for (const GanEpoch& m : run.history())
        std::printf("%5d %12.3f %12.4f %12.4f\n", m.epoch, m.frechet_distance, m.discriminator_loss,
                    m.generator_loss);
    if (const gan::FeatureClassifier* f = run.classifier())
        std::printf("feature classifier: %s; test accuracy %.2f %% (%s)\n",
                    gan::FeatureClassifier::architecture, 100 * f->test_accuracy(),
                    f->cache_file().c_str());
    std::printf("%.0f images/s, %.1f s wall\n", s["images_per_second"].get<double>(), wall);
    return 0;
}

int cmd_train(const Args& a) {
    const auto limit = thread_limit(a);
    const auto t0 = std::chrono::steady_clock::now();
    std::optional<ExperimentConfig> fresh;
    std::optional<ExperimentState> st;
    if (a.has("--resume")) {
        for (const std::string& o : fixed_on_resume)
            if (a.has(o))
                throw InputError(o + " cannot change a resumed session; "
                                     "only --epochs N (more epochs) applies");
        st = load_session(a.value("--resume"));
    } else {
        fresh = config_from(a, "fp32");
    }
    const std::string task = fresh ? fresh->task : st->config.value("task", "supervised");
    if (task == "rl") {
        // A deep-RL session plays on to its budget, rl.episodes.
        RlRun run = fresh ? RlRun(*fresh) : RlRun(*st);
        return train_rl(a, run);
    }
    if (task == "gan") {
        std::unique_ptr<GanRun> run;
        if (fresh) {
            run = std::make_unique<GanRun>(
                *fresh, std::make_shared<const DataSplit>(load_dataset(fresh->dataset)));
        } else {
            // A GAN session trains on to its training.epochs; --epochs N: N more than it has done.
            const auto data = resumed_data(a, *st);
            run = std::make_unique<GanRun>(*st, data);
            if (a.has("--epochs")) run->extend(static_cast<int>(a.integer("--epochs")));
        }
        return train_gan(a, *run);
    }
    if (a.has("--samples")) throw InputError("--samples applies to GAN runs (task = gan)");
    if (a.has("--out")) require_writable_target(a.value("--out"));
    std::unique_ptr<Experiment> e;
    if (st) {
        // --epochs N trains N more epochs (CLI.md).
        e = resume_session(a, std::move(*st), a.has("--epochs") ? a.integer("--epochs") : 1);
    } else {
        const ExperimentConfig& c = *fresh;
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
                     {CROSSBARLAB_VERSION, "", e->data().description, {}, {}});
    const nlohmann::json s = summary_json(*e, wall);
    if (a.flag("--json"))
        std::cout << s.dump() << "\n";
    else
        print_human(s);
    return 0;
}

Options device_options() {
    const CharacterisationOptions d;
    return {valued("--preset", "NAME",
                   "device family (pcm, rram, ideal, soft-bounds) or an experiment preset, whose "
                   "device is characterised",
                   "pcm"),
            valued("--set", "KEY=VALUE",
                   "override one device field by its path inside device "
                   "(read_noise.scale=0); repeatable"),
            whole("--devices", "devices simulated", 1, 1'000'000, d.devices),
            whole("--pulses", "potentiating (SET) pulses per device", 1, 1000, d.pulses),
            valued("--histogram-after", "N",
                   "pulses before the conductance histogram (Fig. 2B); 1 .. --pulses",
                   std::to_string(d.histogram_after) + ", at most --pulses"),
            valued("--init-uS", "X", "initial mean conductance [uS]", number_text(d.init_uS)),
            whole("--seed", "random seed", 0, std::numeric_limits<long long>::max(),
                  static_cast<long long>(d.seed)),
            threads_option(),
            json_flag("print the characterisation as one JSON object"),
            flag("--no-read-noise", "read without the model's read noise")};
}

int cmd_device(const Args& a) {
    const auto limit = thread_limit(a);
    // --preset names a device family or an experiment preset.
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
    CharacterisationOptions o;
    o.devices = static_cast<int>(a.integer("--devices"));
    o.pulses = static_cast<int>(a.integer("--pulses"));
    o.histogram_after = static_cast<int>(
        a.integer("--histogram-after", std::min(o.histogram_after, o.pulses), 1, o.pulses));
    o.seed = static_cast<std::uint64_t>(a.integer("--seed"));
    o.read_noise = !a.flag("--no-read-noise");
    if (a.has("--init-uS")) {
        const auto v = a.numbers("--init-uS");
        if (v.size() != 1) throw InputError("--init-uS takes one number [uS]");
        o.init_uS = v[0];
    }
    o.validate();
    const CharacterisationResult r = characterise_device(params, o);
    const nlohmann::json j = to_json(r);
    if (a.flag("--json")) {
        std::cout << j.dump() << "\n";
    } else {
        // The model's expectation exists for PCM only (characterisation.hpp).
        const bool model = !r.model_mean_uS.empty();
        std::printf("%s: %d devices\n", r.family.c_str(), o.devices);
        std::printf("%6s %12s %12s", "pulse", "mean [uS]", "std [uS]");
        if (model) std::printf(" %16s %16s", "model mean [uS]", "model std [uS]");
        std::printf("\n");
        for (std::size_t i = 0; i < r.pulses.size(); ++i) {
            std::printf("%6d %12.3f %12.3f", r.pulses[i], r.mean_uS[i], r.std_uS[i]);
            if (model) std::printf(" %16.3f %16.3f", r.model_mean_uS[i], r.model_std_uS[i]);
            std::printf("\n");
        }
    }
    return 0;
}

const std::vector<double> default_drift_times = {1, 3600, 86400, 2592000};

Options drift_options() {
    const std::string times = joined(default_drift_times, ",", number_text);
    return {valued("--session", "FILE.h5", "the trained session (required)"),
            valued("--times", "T1,T2,...", "times after training [s]", times),
            dataset_option("where the session was trained"),
            shortcut("--holdout", "the session's"),
            threads_option(),
            json_flag("print {times_s, test_accuracy, ...} as one JSON object"),
            flag("--compensate", "test_accuracy is the drift-compensated accuracy")};
}

int cmd_drift(const Args& a) {
    const auto limit = thread_limit(a);
    if (!a.has("--session")) throw InputError("drift needs --session FILE.h5");
    ExperimentState st = load_session(a.value("--session"));
    // Test accuracy over time is a classifier's measure: a GAN or DQN session has none to age.
    if (const std::string task = st.config.value("task", std::string("supervised"));
        task != "supervised")
        throw InputError("drift measures a classifier's test accuracy after training; " +
                         a.value("--session") + " is a " +
                         (task == "gan" ? std::string("GAN") : std::string("deep-RL")) +
                         " session (task = " + task + ")");
    const auto e = resume_session(a, std::move(st));
    const std::vector<double> times = a.has("--times") ? a.numbers("--times") : default_drift_times;
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

Options export_options() {
    return {valued("--session", "FILE.h5", "the session to export (required)"),
            valued("--csv", "DIR", "folder the CSV files go to (required)"),
            json_flag("print {files: [...]} instead of one file per line")};
}

int cmd_export(const Args& a) {
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

Options seed001_options() {
    return {valued("--network", "NAME", "vgg-conv3x3-256 or small-cnn", "vgg-conv3x3-256"),
            whole("--dynamic-bits", "input bits kept by dynamic quantization", 1, 16,
                  Seed001Config{}.dynamic_bits),
            json_flag("print the report on one line (default: indented JSON)")};
}

int cmd_seed001(const Args& a) {
    Seed001Config c;
    if (a.has("--network")) c.layers = seed001_network(a.value("--network"));
    c.dynamic_bits = static_cast<int>(a.integer("--dynamic-bits"));
    c.validate();
    const nlohmann::json j = seed001_report(c);
    std::cout << (a.flag("--json") ? j.dump() : j.dump(2)) << "\n";
    return 0;
}

/// accelerator's network: a saved session as it is, or a preset (--preset/--config with the
/// experiment's --set overrides) trained here first.
Options accelerator_network_options() {
    return {valued("--session", "FILE.h5", "the trained session; excludes --preset/--config"),
            valued("--preset", "NAME", "experiment preset trained first (with --epochs)", "fp32"),
            valued("--config", "FILE.json", "experiment config trained first"),
            dataset_option("the session's or preset's"),
            shortcut("--holdout", "the session's or preset's"),
            shortcut("--train-limit", "the preset's"),
            shortcut("--test-limit", "the preset's"),
            shortcut("--epochs", "the preset's"),
            shortcut("--seed", "the preset's"),
            threads_option()};
}

std::unique_ptr<Experiment> accelerator_network(const Args& a,
                                                const std::vector<std::string>& sets) {
    if (a.has("--session")) {
        for (const std::string o :
             {"--preset", "--config", "--train-limit", "--test-limit", "--epochs", "--seed"})
            if (a.has(o))
                throw InputError(o + " applies to a preset trained here; --session takes the "
                                     "network as saved");
        if (!sets.empty())
            throw InputError("--set " + sets.front() +
                             ": with --session only accelerator.* fields can be set");
        return resume_session(a, load_session(a.value("--session")));
    }
    const ExperimentConfig c = config_from(a, "fp32", &sets);
    require_accelerator_network(c); // before training it
    auto e =
        std::make_unique<Experiment>(c, std::make_shared<const DataSplit>(load_dataset(c.dataset)));
    run_training(*e, c.name);
    return e;
}

/// The middle value (the mean of the middle two for an even count).
double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

/// The schemes bench compares when no --preset names others.
const std::vector<std::string> bench_schemes = {"fp32",           "fp64",       "mca-pcm",
                                                "mca-pcm-single", "direct-pcm", "time-rram"};
const std::string bench_dataset = "fashion-mnist";

Options bench_options() {
    const std::string schemes = joined(bench_schemes, ", ");
    return {whole("--images", "training images per scheme and round", 200, 10'000'000, 4000),
            whole("--rounds", "rounds; each scheme reports its median", 1, 50, 3),
            dataset_option(bench_dataset),
            valued("--preset", "NAME",
                   "only this preset, on its own network; repeatable; a deep-RL preset "
                   "(task = rl) reports environment steps per second, a GAN preset (task = gan) "
                   "real training images per second on its own data",
                   schemes),
            whole("--steps", "environment steps timed per deep-RL preset and round", 100,
                  10'000'000, 2000),
            threads_option(),
            json_flag("print the result on one line (default: indented JSON)")};
}

int cmd_bench(const Args& a) {
    const auto limit = thread_limit(a);
    const long long images = a.integer("--images");
    const int rounds = int(a.integer("--rounds"));
    DatasetSpec spec;
    spec.source = a.value("--dataset", bench_dataset);
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
    const std::vector<std::string> schemes = named ? a.all("--preset") : bench_schemes;
    const auto available = preset_names();
    std::map<std::string, std::vector<double>> samples, rl_samples, gan_samples;
    const long long rl_steps = a.integer("--steps");
    for (int round = 0; round < rounds; ++round)
        for (const std::string& name : schemes) {
            if (!named && std::find(available.begin(), available.end(), name) == available.end())
                continue;
            ExperimentConfig c = load_preset(name);
            if (c.task == "rl") {
                // A deep-RL preset: environment steps per second once learning runs (past the
                // warm-up of random steps), the whole agent (acting, replay, learning) timed.
                c.rl.episodes = 10'000'000;
                c.rl.stop_at_mean_reward = 0;
                RlRun run(c);
                const auto steps = [&] { return (long long)run.agent().environment_steps(); };
                while (steps() < c.rl.warmup_steps + 200)
                    run.run_episode();
                const long long start = steps();
                const auto t0 = clock::now();
                while (steps() < start + rl_steps)
                    run.run_episode();
                rl_samples[name].push_back(double(steps() - start) / seconds_since(t0));
                continue;
            }
            if (c.task == "gan") {
                // A GAN preset on its own data: real training images per second of alternating
                // steps (each also generates and learns from as many fakes), after one step and
                // short of the epoch's end (its Fréchet distance is not timed).
                DatasetSpec own = c.dataset;
                own.train_limit = static_cast<int>(images) + 2 * c.gan.batch_size;
                own.test_limit = 100;
                c.training.epochs = 1;
                GanRun run(c, std::make_shared<const DataSplit>(load_dataset(own)));
                run.train(1);
                const auto t0 = clock::now();
                const int n = run.train(run.steps_per_epoch() - 2);
                gan_samples[name].push_back(double(n) * c.gan.batch_size / seconds_since(t0));
                continue;
            }
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
    for (const auto& [name, v] : rl_samples) {
        out["environment_steps_per_second"][name] = median(v);
        std::cerr << name << ": " << static_cast<long long>(median(v)) << " environment steps/s\n";
    }
    if (!rl_samples.empty()) out["environment_steps"] = rl_steps;
    for (const auto& [name, v] : gan_samples) {
        out["gan_images_per_second"][name] = median(v);
        std::cerr << name << ": " << static_cast<long long>(median(v)) << " GAN images/s\n";
    }
    if (gan_samples.count("fp32-gan"))
        for (const auto& [name, v] : gan_samples)
            out["ratio_to_fp32_gan"][name] = median(v) / median(gan_samples["fp32-gan"]);
    if (rl_samples.count("fp32-dqn"))
        for (const auto& [name, v] : rl_samples)
            out["ratio_to_fp32_dqn"][name] = median(v) / median(rl_samples["fp32-dqn"]);
    // Several runs at once (side-by-side comparisons) each get their own thread: two mca-pcm runs
    // together against one alone, timed alike (built and warmed before the clock starts, then
    // the same images, no evaluation), the lone run just before the pair, in as many rounds;
    // the ratio is the median of the rounds' ratios. Each of the pair works in a one-thread
    // task arena, so the two never share or oversubscribe TBB's workers (results do not depend
    // on the thread count).
    // Only deep-RL presets named: no images_per_second at all (not a null).
    const bool supervised = out.contains("images_per_second");
    if (supervised && out["images_per_second"].contains("mca-pcm")) {
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
    if (supervised && out["images_per_second"].contains("fp32")) {
        const double fp32 = out["images_per_second"]["fp32"].get<double>();
        for (const auto& [name, ips] : out["images_per_second"].items())
            out["ratio_to_fp32"][name] = ips.get<double>() / fp32;
    }
    // Character models (text data, issue 15): a sample is sequence_length characters.
    if (supervised && !data->vocabulary.empty()) {
        const int characters = data->train.features() - 1;
        const nlohmann::json& ips = out["images_per_second"];
        for (const auto& [name, v] : ips.items()) {
            out["characters_per_second"][name] = v.get<double>() * characters;
            std::cerr << name << ": " << static_cast<long long>(v.get<double>() * characters)
                      << " characters/s\n";
        }
        if (ips.contains("fp32-lstm"))
            for (const auto& [name, v] : ips.items())
                out["ratio_to_fp32_lstm"][name] = v.get<double>() / ips["fp32-lstm"].get<double>();
    }

    // One forward MVM of 250 outputs with the full PCM read model vs the plain FP32 Eigen MVM,
    // on the dataset's images plus bias (785 inputs for MNIST; lines with zero input are not
    // driven) and on dense random inputs.
    MvmBenchmarkOptions mvm_options;
    mvm_options.cols = data->train.features() + 1;
    std::vector<Eigen::VectorXf> inputs;
    for (int i = 0; i < std::min(256, data->train.size()); ++i) {
        Eigen::VectorXf x(data->train.features() + 1);
        x << data->train.images.col(i), 1.0f;
        inputs.push_back(std::move(x));
    }
    const MvmBenchmarkResult mvm = run_mvm_benchmark(inputs, mvm_options);
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

Options sweep_options() {
    return {
        valued("--preset", "NAME", "experiment preset of every point; excludes --config", "fp32"),
        valued("--config", "FILE.json", "experiment config of every point; excludes --preset"),
        valued("--set", "KEY=VALUE", "override one field of every point; repeatable"),
        valued("--grid", "KEY=VALUES",
               "a swept field: KEY=v1,v2,... or KEY=start:stop:count[:log]; repeatable, "
               "the points are the Cartesian product"),
        valued("--seeds", "LIST", "training seeds of every grid point: 1-5, 1,3,7 or 2",
               "the preset's"),
        dataset_option("the preset's"),
        shortcut("--train-limit", "the preset's"),
        shortcut("--test-limit", "the preset's"),
        shortcut("--epochs", "the preset's"),
        threads_option(),
        valued("--out", "FILE.h5",
               "the sweep file (required): rewritten atomically after every point; a rerun "
               "runs only the points it lacks"),
        valued("--shard", "I/N",
               "run only every N-th point from the I-th (one job of N; `sweep merge` joins the "
               "N files)"),
        json_flag("print [{overrides, summary}] of every point (null: another shard's)")};
}

/// One sweep point: a whole `train` run, its summary (a divergence is a result, not an error).
/// A deep-RL point plays its episodes and has no data.
nlohmann::json run_point(const nlohmann::json& config,
                         const std::shared_ptr<const DataSplit>& data) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto wall = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    };
    if (config.value("task", "supervised") == "rl") {
        RlRun run(config.get<ExperimentConfig>());
        try {
            while (!run.finished())
                run.run_episode();
        } catch (const Diverged&) {
            // The summary says diverged.
        }
        return rl_summary_json(run, wall());
    }
    if (config.value("task", "supervised") == "gan") {
        GanRun run(config.get<ExperimentConfig>(), data);
        std::string divergence;
        try {
            while (!run.finished())
                run.train(run.steps_per_epoch());
        } catch (const Diverged& d) {
            divergence = d.what();
        }
        return gan_summary_json(run, wall(), divergence);
    }
    Experiment e(config.get<ExperimentConfig>(), data);
    try {
        while (!e.finished()) {
            e.train(e.epoch_size() - e.position());
            if (e.position() == 0 && !e.divergence().empty()) break;
        }
    } catch (const Diverged&) {
        // The experiment is back at its last good state; the summary says diverged.
    }
    return summary_json(e, wall());
}

int cmd_sweep(const Args& a) {
    if (!a.has("--out")) throw InputError("sweep needs --out FILE.h5 (the points and results)");
    const std::string out = a.value("--out");
    require_writable_target(out);
    const auto limit = thread_limit(a);
    const ExperimentConfig base = config_from(a, "fp32");
    std::vector<GridAxis> axes;
    for (const std::string& g : a.all("--grid"))
        axes.push_back(parse_grid_axis(g));
    const std::vector<std::uint64_t> seeds = a.has("--seeds")
                                                 ? parse_seeds(a.value("--seeds"))
                                                 : std::vector<std::uint64_t>{base.training.seed};
    // Every point is built and validated before anything runs.
    std::vector<SweepPoint> points = expand_grid(nlohmann::json(base), axes, seeds);
    // Under mpirun, rank 0 owns the file and the output; the other ranks only train points.
    cli::MpiJob job;
    if (job.rank() == 0 && std::filesystem::exists(out)) resume_sweep(out, points);
    // Points share their data when they share the dataset settings; deep-RL points have none.
    std::map<std::string, std::shared_ptr<const DataSplit>> data;
    for (const SweepPoint& p : points) {
        const std::string key = p.config["dataset"].dump();
        if (p.config.value("task", "supervised") != "rl" && !data.count(key))
            data[key] = std::make_shared<const DataSplit>(
                load_dataset(p.config.get<ExperimentConfig>().dataset));
    }
    const auto run = [&](const nlohmann::json& config) {
        const auto it = data.find(config["dataset"].dump());
        return run_point(config, it == data.end() ? nullptr : it->second);
    };
    if (job.rank() != 0) {
        job.run(points, {}, run, {});
        return 0;
    }
    const Shard shard = a.has("--shard") ? parse_shard(a.value("--shard")) : Shard{};
    const std::vector<std::size_t> todo = points_to_run(points, shard);
    cli::Progress progress("sweep", static_cast<long long>(todo.size()), "points");
    long long done = 0;
    job.run(points, todo, run, [&] {
        save_sweep(out, points);
        progress.update(++done);
    });
    progress.finish();
    save_sweep(out, points);
    nlohmann::json list = nlohmann::json::array();
    for (const SweepPoint& p : points)
        list.push_back({{"overrides", p.overrides}, {"summary", p.summary}});
    if (a.flag("--json"))
        std::cout << list.dump() << "\n";
    else
        for (const SweepPoint& p : points) {
            if (p.summary.is_null()) continue; // another shard's
            const auto acc = p.summary["test_accuracy"].get<std::vector<double>>();
            const double best = acc.empty() ? 0 : *std::max_element(acc.begin(), acc.end());
            std::string name;
            for (const std::string& o : p.overrides)
                name += (name.empty() ? "" : " ") + o;
            std::printf("%-60s best test accuracy %.2f %%%s\n", name.c_str(), 100 * best,
                        p.summary.value("diverged", false) ? " (diverged)" : "");
        }
    if (!std::cout.flush()) throw InputError("cannot write the sweep's results to stdout");
    return 0;
}

int cmd_sweep_merge(const Args& a) {
    const auto& inputs = a.all("--from");
    if (!a.has("--out") || inputs.empty())
        throw InputError("sweep merge needs --out FILE.h5 and at least one --from FILE.h5");
    require_writable_target(a.value("--out"));
    std::vector<SweepPoint> points = load_sweep(inputs.front());
    for (std::size_t i = 1; i < inputs.size(); ++i)
        merge_sweep(points, load_sweep(inputs[i]), "sweep file " + inputs[i]);
    save_sweep(a.value("--out"), points);
    std::size_t missing = 0;
    for (const SweepPoint& p : points)
        missing += p.summary.is_null();
    std::cerr << "sweep merge: " << points.size() - missing << " of " << points.size()
              << " points have results"
              << (missing ? "; rerun the sweep on --out for the rest" : "") << "\n";
    return 0;
}

struct Command {
    std::string name, summary;
    Options options;
    std::function<int(const Args&)> run;
};

/// Every command with its options: run_cli parses with these, --help prints them.
const std::vector<Command>& commands() {
    static const std::vector<Command> all = {
        {"presets",
         "list the experiment presets",
         {json_flag("print [{name, description, reproduces}]")},
         cmd_presets},
        {"params",
         "every config field: range, unit, live",
         {json_flag("print every field as JSON"),
          flag("--markdown", "print the table of resources/presets/README.md")},
         cmd_params},
        {"train", "train an experiment", train_options(), cmd_train},
        {"bench", "throughput of every scheme on 785-250-10", bench_options(), cmd_bench},
        {"device", "PCM characterisation, seed 002 Fig. 2", device_options(), cmd_device},
        {"drift", "test accuracy at times after training", drift_options(), cmd_drift},
        {"export", "session metrics and conductances to CSV", export_options(), cmd_export},
        {"seed001", "RRAM CNN accelerator: encoding + dynamic quantization", seed001_options(),
         cmd_seed001},
        {"accelerator",
         "seed 001 on a trained network: bit-serial RRAM accelerator, a row per option",
         accelerator_options(accelerator_network_options()),
         [](const Args& a) {
             const auto limit = thread_limit(a);
             return cmd_accelerator(a, accelerator_network);
         }},
        {"sweep", "a grid of train runs, resumable, into one file", sweep_options(), cmd_sweep},
        {"sweep merge",
         "join the files of a sharded sweep (--shard) into one",
         {valued("--from", "FILE.h5", "a shard's sweep file; repeatable"),
          valued("--out", "FILE.h5", "the joined sweep file")},
         cmd_sweep_merge}};
    return all;
}

std::string usage() {
    std::string out = "usage: crossbarlab-cli COMMAND [options]\ncommands:\n";
    for (const Command& c : commands()) {
        std::string line = "  " + c.name;
        line.resize(15, ' ');
        out += line + c.summary + "\n";
    }
    return out + "crossbarlab-cli COMMAND --help lists the options of a command;\n"
                 "docs/cli.md describes the commands and the JSON they print, README.md has "
                 "examples\n";
}

void print_help(const Command& c) {
    std::cout << "usage: crossbarlab-cli " << c.name << " [options]\n"
              << c.summary << "\noptions:\n"
              << cli::help_text(c.options);
}

const Command* find_command(const std::string& name) {
    for (const Command& c : commands())
        if (c.name == name) return &c;
    return nullptr;
}

} // namespace

int run_cli(const std::vector<std::string>& args) {
    if (args.empty()) {
        std::cerr << usage();
        return 2;
    }
    const bool asked = args[0] == "--help" || args[0] == "-h" || args[0] == "help";
    // `help COMMAND` is `COMMAND --help`; "sweep merge" is one command of two words.
    std::size_t first = asked && args.size() > 1 ? 1 : 0;
    std::string name = args[first];
    if (name == "sweep" && args.size() > first + 1 && args[first + 1] == "merge")
        name = "sweep merge", ++first;
    if (asked && args.size() == 1) {
        std::cout << usage();
        return 0;
    }
    const Command* c = find_command(name);
    if (!c) {
        std::cerr << usage();
        throw InputError("unknown command " + name);
    }
    const Args a(std::vector<std::string>(args.begin() + std::ptrdiff_t(first) + 1, args.end()),
                 c->options);
    if (asked || a.help()) {
        print_help(*c);
        return 0;
    }
    return c->run(a);
}

} // namespace cbl
