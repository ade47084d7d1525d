// Session contents (issue 20, items 1 and 8): every crafted file of tests/common/crafted_sessions
// is refused by load_session() with one line naming the dataset or attribute, and a seeded,
// structure-aware fuzz of the stored config, history, state scalars and arrays either is refused
// that way or loads a state an experiment can be built from and trained on.
#include "../common/crafted_sessions.hpp"
#include "core/experiment/experiment.hpp"
#include "core/session/session_file.hpp"

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <random>

using namespace cbl;

namespace {

/// Two weight layers, synthetic data, one finished epoch, an event: the base of the crafted cases.
ExperimentConfig base_config(const std::string& preset, const std::string& optimizer = "") {
    ExperimentConfig c = load_preset(preset);
    c.dataset.source = "synthetic";
    c.dataset.synthetic_train = 40;
    c.dataset.synthetic_test = 20;
    c.network.layers = {785, 12, 10};
    c.training.epochs = 3;
    c.training.batch_size = 1;
    if (!optimizer.empty()) c.training.optimizer.type = optimizer;
    return c;
}

std::shared_ptr<const DataSplit> data() {
    static const auto d =
        std::make_shared<const DataSplit>(load_dataset(base_config("fp32").dataset));
    return d;
}

ExperimentState trained(const ExperimentConfig& c, std::shared_ptr<const DataSplit> split = data(),
                        int epochs = 10) {
    Experiment e(c, std::move(split));
    e.train_epoch();
    e.log_event("note");
    e.train(epochs - 1);
    return e.state();
}

/// The refusal is one line of ours: the file first, no library text.
void check_line(const std::string& path, const QString& msg) {
    QVERIFY2(msg.startsWith(QString::fromStdString(path) + ": "), qPrintable(msg));
    QVERIFY2(!msg.contains('\n'), qPrintable(msg));
    for (const char* library : {"json.exception", "HDF5", "H5", "std::", "basic_string"})
        QVERIFY2(!msg.contains(library), qPrintable(msg));
}

} // namespace

class TestSessionContent : public QObject {
    Q_OBJECT
  private:
    QTemporaryDir tmp_;

    void refusesCrafted(const ExperimentState& base, const char* tag) {
        const std::string dir = tmp_.path().toStdString() + "/" + tag;
        std::filesystem::create_directories(dir);
        const std::string good = dir + "/good.h5";
        save_session(good, base, crafted::base_info());
        load_session(good); // the base itself is valid
        int applied = 0;
        for (const crafted::Case& k : crafted::cases()) {
            if (!crafted::applies(k, good)) continue;
            ++applied;
            const std::string bad = crafted::make(k, good, dir);
            try {
                load_session(bad);
                QFAIL(qPrintable(QString::fromStdString(k.name) + " loaded"));
            } catch (const InputError& e) {
                const QString msg = QString::fromUtf8(e.what());
                check_line(bad, msg);
                QVERIFY2(msg.contains(QString::fromStdString(k.needle)),
                         qPrintable(QString::fromStdString(k.name + ": expected \"" + k.needle +
                                                           "\" in: ") +
                                    msg));
            }
        }
        QVERIFY(applied >= 20);
    }

  private Q_SLOTS:
    void crossbarSessionsRefuseCraftedContent() {
        refusesCrafted(trained(base_config("mca-pcm")), "mca");
    }
    void fpSessionsRefuseCraftedContent() {
        refusesCrafted(trained(base_config("fp32", "adam")), "fp");
    }

    void everyPresetsSessionIsValid() {
        // No false alarm on what the lab itself saves, for each scheme, device and precision.
        for (const std::string& preset : preset_names()) {
            ExperimentConfig c = base_config(preset);
            if (c.task == "rl") continue;  // sessions hold supervised runs only (RlRun)
            if (c.task == "gan") continue; // GAN sessions: tst_gan_session
            auto split = data();
            int epochs = 10;
            if (!c.network.graph.empty()) {
                c = load_preset(preset);
                c.dataset = base_config("fp32").dataset;
            }
            if (!c.network.graph.empty() && c.network.graph.front().kind == "lstm") {
                // A character model learns text: a small file of ours, a few windows, two epochs
                // (the paper-sized presets take seconds per epoch, minutes under the sanitizers).
                const std::string text = tmp_.path().toStdString() + "/text.txt";
                std::ofstream(text) << std::string(3000, 'a') + std::string(3000, 'b');
                c.dataset.source = "text:" + text;
                c.dataset.train_limit = 3;
                c.dataset.test_limit = 2;
                split = std::make_shared<const DataSplit>(load_dataset(c.dataset));
                epochs = 2;
            }
            const std::string p = tmp_.path().toStdString() + "/" + preset + ".h5";
            save_session(p, trained(c, split, epochs), {});
            try {
                load_session(p);
            } catch (const InputError& e) {
                QFAIL(qPrintable(QString::fromStdString(preset) + ": " + e.what()));
            }
        }
    }

    void structureAwareFuzz() {
        // Seeded mutations of what a session holds, one at a time; fixed count, so the same cases
        // run everywhere. A mutant either is refused with one line or resumes.
        const ExperimentState base = trained(base_config("mca-pcm"));
        const std::string p = tmp_.path().toStdString() + "/fuzz.h5";
        std::mt19937_64 rng(20);
        const auto pick = [&](std::size_t n) { return std::size_t(rng() % n); };
        const double nan = std::numeric_limits<double>::quiet_NaN();
        const double inf = std::numeric_limits<double>::infinity();
        const std::vector<double> numbers{nan,    inf,   -inf,   -1,           0,
                                          1e-320, 1e308, -1e308, 4294967297.0, 2147483648.0,
                                          1e15,   0.5,   7.5};
        const auto huge_array = nlohmann::json(std::vector<int>(100000, 3));
        const std::vector<nlohmann::json> replacements{"x",
                                                       true,
                                                       nullptr,
                                                       nlohmann::json::object(),
                                                       nlohmann::json::array(),
                                                       -1,
                                                       0,
                                                       4294967297ll,
                                                       -9223372036854775807ll,
                                                       1e308,
                                                       -1e308,
                                                       1e-320,
                                                       0.5,
                                                       huge_array,
                                                       "../../etc/passwd"};
        int refused = 0, resumed = 0;
        for (int it = 0; it < 400; ++it) {
            ExperimentState st = base;
            std::string raw_config; // a config text that JSON cannot hold as a value (NaN)
            switch (it % 4) {
            case 0: { // the stored config: one leaf gets another type or value
                std::vector<nlohmann::json::json_pointer> leaves;
                const nlohmann::json flat = st.config.flatten();
                for (const auto& [key, value] : flat.items())
                    leaves.emplace_back(key);
                const auto& leaf = leaves[pick(leaves.size())];
                const int how = int(pick(4));
                if (how == 0)
                    st.config[leaf] = numbers[pick(numbers.size())];
                else if (how == 1)
                    st.config[leaf] = replacements[pick(replacements.size())];
                else if (how == 2 && st.config[leaf.parent_pointer()].is_object())
                    st.config[leaf.parent_pointer()].erase(leaf.back());
                else if (how == 2)
                    st.config[leaf.parent_pointer()] = huge_array;
                else {
                    raw_config = st.config.dump();
                    const auto at = raw_config.find_first_of("0123456789", pick(raw_config.size()));
                    if (at != std::string::npos)
                        raw_config.replace(at, 1, pick(2) ? "NaN" : "1e400");
                }
                break;
            }
            case 1: { // one history entry
                EpochMetrics& m = st.history[pick(st.history.size())];
                const double v = numbers[pick(numbers.size())];
                switch (pick(9)) {
                case 0:
                    m.train_accuracy = v;
                    break;
                case 1:
                    m.test_loss = v;
                    break;
                case 2:
                    m.learning_rate = v;
                    break;
                case 3:
                    m.simulated_time_s = v;
                    break;
                case 4:
                    m.wall_seconds = v;
                    break;
                case 5:
                    m.images = int(std::clamp(v, -1e9, 1e9));
                    break;
                case 6:
                    m.epoch = int(pick(5));
                    break;
                case 7:
                    m.device_updates.resize(pick(4), 3);
                    m.fp_equivalent_updates = m.device_updates;
                    m.counts.resize(m.device_updates.size());
                    break;
                default:
                    m.refreshes = ~0ull >> pick(64);
                    break;
                }
                break;
            }
            case 2: { // the state's scalars
                const double v = numbers[pick(numbers.size())];
                switch (pick(5)) {
                case 0:
                    st.simulated_time_s = v;
                    break;
                case 1:
                    st.loss_sum = v;
                    break;
                case 2:
                    st.step += pick(3) - 1;
                    break;
                case 3:
                    st.in_batch = int(pick(3));
                    break;
                default:
                    st.position = int(pick(100));
                    st.correct = 0;
                    break;
                }
                break;
            }
            default: { // one state array: a value or its shape
                auto a = st.arrays.begin();
                std::advance(a, std::ptrdiff_t(pick(st.arrays.size())));
                StateArray& arr = a->second;
                if (pick(4) == 0) {
                    std::swap(arr.shape.front(), arr.shape.back());
                    if (arr.shape.size() == 1) arr.shape.push_back(1);
                } else {
                    const double v = numbers[pick(numbers.size())];
                    std::visit(
                        [&](auto& values) {
                            using T = typename std::decay_t<decltype(values)>::value_type;
                            if (values.empty()) return;
                            const double c = std::is_integral_v<T> && !std::isfinite(v) ? 0 : v;
                            values[pick(values.size())] =
                                std::is_integral_v<T> ? T(std::clamp(c, 0.0, 255.0)) : T(c);
                        },
                        arr.data);
                }
            }
            }
            try {
                save_session(p, st, {});
            } catch (const InputError&) {
                continue; // the writer's own checks (e.g. layers per epoch) refuse it first
            }
            if (!raw_config.empty()) crafted::Surgery(p).set_attribute("/", "config", raw_config);
            ExperimentState loaded;
            try {
                loaded = load_session(p);
            } catch (const InputError& e) {
                check_line(p, QString::fromUtf8(e.what()));
                ++refused;
                continue;
            }
            // Accepted: it must build and train (position past the data is the one check that
            // needs the data, and the experiment makes it).
            try {
                Experiment e(loaded, data());
                e.train(3);
            } catch (const InputError& e) {
                QVERIFY2(QString(e.what()).contains("position"), e.what());
            }
            ++resumed;
        }
        qInfo("%d mutants refused, %d loaded and resumed", refused, resumed);
        QVERIFY(refused > 150);
        QVERIFY(resumed > 20);
    }
};

QTEST_MAIN(TestSessionContent)
#include "tst_session_content.moc"
