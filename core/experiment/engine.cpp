#include "core/experiment/engine.hpp"

#include "core/common/param_error.hpp"
#include "core/common/thread_priority.hpp"
#include "core/experiment/divergence.hpp"
#include "core/training/device_layer.hpp"

#include <oneapi/tbb/info.h>

#include <algorithm>

namespace cbl {

using clock_type = std::chrono::steady_clock;

namespace {

int arena_threads(int threads) {
    if (threads > 0) return threads;
    // TBB's count respects the process's CPU mask; one core stays with the GUI thread.
    return std::max(1, tbb::info::default_concurrency() - 1);
}

class LowerPriorityInArena : public tbb::task_scheduler_observer {
  public:
    explicit LowerPriorityInArena(tbb::task_arena& arena) : tbb::task_scheduler_observer(arena) {
        observe(true);
    }
    ~LowerPriorityInArena() override { observe(false); }
    void on_scheduler_entry(bool) override {
        lower_this_thread_priority(background_nice_increment);
    }
};

void answer(const VerdictCallback& on_verdict, bool accepted, std::string message = {}) {
    if (on_verdict) on_verdict({accepted, std::move(message)});
}

/// Runs a command's work and answers its verdict; a failure also stays in `error` (the next
/// snapshot shows it), a success clears it.
template <typename F>
void attempt(F&& work, std::string& error, const VerdictCallback& on_verdict) {
    try {
        work();
        error.clear();
    } catch (const std::exception& e) {
        error = e.what();
        answer(on_verdict, false, error);
        return;
    }
    answer(on_verdict, true);
}

} // namespace

Engine::Engine(int threads)
    : snapshot_(std::make_shared<Snapshot>()), arena_(arena_threads(threads)),
      background_(std::make_unique<LowerPriorityInArena>(arena_)),
      // The engine thread works inside the arena: it takes the slot reserved for it, the
      // arena's workers take the rest.
      thread_([this] {
          lower_this_thread_priority(background_nice_increment);
          arena_.execute([this] { loop(); });
      }) {}

Engine::~Engine() {
    {
        std::lock_guard lock(mutex_);
        quit_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void Engine::set_publisher(std::function<void()> on_snapshot) {
    std::lock_guard lock(snapshot_mutex_);
    publisher_ = std::move(on_snapshot);
}

void Engine::command(std::function<void()> f) {
    {
        std::lock_guard lock(mutex_);
        commands_.push_back(std::move(f));
    }
    wake_.notify_all();
}

std::shared_ptr<const DataSplit> Engine::data_for(const ExperimentConfig& config) {
    // Reuse the loaded data when only the experiment changes.
    return data_ && config.dataset == config_.dataset
               ? data_
               : std::make_shared<const DataSplit>(load_dataset(config.dataset));
}

void Engine::adopt(std::unique_ptr<Experiment> e) {
    experiment_ = std::move(e);
    rl_.reset();
    gan_.reset();
}

void Engine::adopt(std::unique_ptr<RlRun> r) {
    rl_ = std::move(r);
    experiment_.reset();
    gan_.reset();
}

void Engine::adopt(std::unique_ptr<GanRun> g) {
    gan_ = std::move(g);
    gan_samples_.reset();
    experiment_.reset();
    rl_.reset();
}

void Engine::build_fresh(const ExperimentConfig& config, std::shared_ptr<const DataSplit> data) {
    if (config.task == "rl")
        adopt(std::make_unique<RlRun>(config));
    else if (config.task == "gan")
        adopt(std::make_unique<GanRun>(config, std::move(data)));
    else
        adopt(std::make_unique<Experiment>(config, std::move(data)));
}

void Engine::install(const ExperimentConfig& config, std::shared_ptr<const DataSplit> data,
                     const std::function<void(std::shared_ptr<const DataSplit>)>& build,
                     const VerdictCallback& on_verdict) {
    // Reading a dataset and drawing every device's initial state take seconds: the views say so
    // meanwhile (issue 18). A deep-RL run has no dataset.
    const bool rl = config.task == "rl";
    const bool new_data = !rl && !data && !(data_ && config.dataset == config_.dataset);
    loading_ = (new_data ? "Loading " + config.dataset.source + " and building " : "Building ") +
               (config.name.empty() ? std::string("the experiment") : config.name);
    publish(true);
    attempt(
        [&] {
            if (!rl && !data) data = data_for(config);
            build(data);
            running_ = false;
            drift_ = {};
            config_ = config;
            if (!rl) data_ = std::move(data);
        },
        error_, on_verdict);
    loading_.clear();
}

void Engine::load(const ExperimentConfig& config, std::shared_ptr<const DataSplit> data,
                  VerdictCallback on_verdict) {
    command([this, config, data, on_verdict = std::move(on_verdict)] {
        install(
            config, data, [&](std::shared_ptr<const DataSplit> d) { build_fresh(config, d); },
            on_verdict);
    });
}

void Engine::restore(ExperimentState state, std::shared_ptr<const DataSplit> data,
                     VerdictCallback on_verdict) {
    auto st = std::make_shared<const ExperimentState>(std::move(state));
    command([this, st, data, on_verdict = std::move(on_verdict)] {
        ExperimentConfig config;
        try {
            config = st->config.get<ExperimentConfig>();
        } catch (const std::exception& e) {
            // load_session() validates the config; this guards states built elsewhere.
            error_ = std::string("session config: ") + e.what();
            answer(on_verdict, false, error_);
            return;
        }
        install(
            config, data,
            [&](std::shared_ptr<const DataSplit> d) {
                if (config.task == "rl")
                    adopt(std::make_unique<RlRun>(*st));
                else if (config.task == "gan")
                    adopt(std::make_unique<GanRun>(*st, std::move(d)));
                else
                    adopt(std::make_unique<Experiment>(*st, std::move(d)));
            },
            on_verdict);
    });
}

void Engine::check_config(const ExperimentConfig& config, VerdictCallback on_verdict) {
    command([this, config, on_verdict = std::move(on_verdict)] {
        try {
            if (config.task == "rl")
                RlRun trial(config);
            else if (config.task == "gan")
                GanRun trial(config, data_for(config));
            else
                Experiment trial(config, data_for(config));
        } catch (const std::exception& e) {
            answer(on_verdict, false, e.what());
            return;
        }
        answer(on_verdict, true);
    });
}

std::future<CapturedState> Engine::capture_state() {
    auto promise = std::make_shared<std::promise<CapturedState>>();
    std::future<CapturedState> result = promise->get_future();
    command([this, promise] {
        try {
            if (rl_) {
                // A deep-RL run is saved between episodes: the one under way is played out.
                rl_->finish_episode();
                promise->set_value({rl_->state(), rl_->dataset_description()});
                return;
            }
            if (gan_) {
                // Checked: NaN or inf in the generator or discriminator is never saved.
                promise->set_value({gan_->state(), gan_->data().description, data_});
                return;
            }
            if (!experiment_) throw InputError("there is no experiment to save");
            // Checked: a state holding NaN or inf is refused, never saved.
            promise->set_value(
                {experiment_->checked_state(), experiment_->data().description, data_});
        } catch (const Diverged& e) {
            // An experiment is back at its last good state (a GAN stays as it diverged); the run
            // pauses and says why.
            error_ = e.what();
            running_ = false;
            promise->set_exception(std::current_exception());
        } catch (...) {
            promise->set_exception(std::current_exception());
        }
    });
    return result;
}

void Engine::play() {
    command([this] {
        running_ = !run_finished();
        stop_after_ = -1;
        stop_at_epoch_ = false;
    });
}

void Engine::pause() {
    command([this] { running_ = false; });
}

void Engine::step_images(int n) {
    command([this, n] {
        running_ = !run_finished();
        stop_after_ = n;
        stop_at_epoch_ = false;
    });
}

void Engine::step_epoch() {
    command([this] {
        running_ = !run_finished();
        stop_after_ = -1;
        stop_at_epoch_ = true;
    });
}

void Engine::reset() {
    command([this] {
        running_ = false;
        if (!experiment_ && !rl_ && !gan_) return;
        // The old run goes first, so that two never live at once beside a save's copy of the
        // state (the highest sample of issue 20's soak fell on a Reset at a run's final
        // autosave); a Reset discards it anyway.
        experiment_.reset();
        rl_.reset();
        gan_.reset();
        try {
            build_fresh(config_, data_);
            drift_ = {};
        } catch (const std::exception& e) {
            error_ = e.what();
        }
    });
}

void Engine::set_speed(double images_per_second) {
    command([this, images_per_second] { speed_ = std::max(0.0, images_per_second); });
}

void Engine::on_experiment(std::function<void(Experiment&)> f, VerdictCallback on_verdict) {
    command([this, f = std::move(f), on_verdict = std::move(on_verdict)] {
        if (!experiment_) {
            answer(on_verdict, false,
                   rl_ || gan_ ? std::string("a ") +
                                     (rl_ ? "deep-RL run (task = rl)" : "GAN run (task = gan)") +
                                     " takes no live changes: edit its config and load it, or "
                                     "Reset"
                               : "there is no experiment yet");
            return;
        }
        attempt([&] { f(*experiment_); }, error_, on_verdict);
    });
}

void Engine::set_parameter(const std::string& path, const nlohmann::json& value,
                           VerdictCallback on_verdict) {
    on_experiment([path, value](Experiment& e) { e.set_parameter(path, value); },
                  std::move(on_verdict));
}

void Engine::pin_synapse(int layer, int row, int col) {
    on_experiment([=](Experiment& e) { e.pin(layer, row, col); });
}

void Engine::unpin_all() {
    on_experiment([](Experiment& e) { e.unpin_all(); });
}

void Engine::evaluate_drift(const std::vector<double>& times_s) {
    on_experiment([this, times_s](Experiment& e) { drift_ = e.drift_curve(times_s); });
}

void Engine::sync() {
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
    command([&] {
        publish(true);
        std::lock_guard lock(m);
        done = true;
        cv.notify_all();
    });
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return done; });
}

SnapshotPtr Engine::snapshot() const {
    std::lock_guard lock(snapshot_mutex_);
    return snapshot_;
}

void Engine::publish(bool force) {
    const auto now = clock_type::now();
    if (!force && now - last_publish_ < std::chrono::milliseconds(50)) return;
    last_publish_ = now;
    auto s = std::make_shared<Snapshot>();
    s->version = ++version_;
    s->error = error_;
    s->loading = loading_;
    s->running = running_;
    if (experiment_) {
        const Experiment& e = *experiment_;
        s->config = e.config();
        s->dataset = e.data().description;
        // Every snapshot copies the history. The views draw each epoch's numbers, not its
        // per-layer operation counts (about 1 KB a layer, for the energy ledger), which stay in
        // the experiment: with them a long run's snapshots grew the GUI by a megabyte a minute
        // (issue 20's soak). Positional, so a new field of EpochMetrics cannot be missed here.
        s->history.reserve(e.history().size());
        for (const EpochMetrics& m : e.history())
            s->history.push_back({m.epoch,
                                  m.train_accuracy,
                                  m.train_loss,
                                  m.test_accuracy,
                                  m.test_loss,
                                  m.validation_loss,
                                  m.learning_rate,
                                  m.device_updates,
                                  m.fp_equivalent_updates,
                                  m.refreshes,
                                  m.simulated_time_s,
                                  m.wall_seconds,
                                  m.images,
                                  {},
                                  m.sample_text});
        s->events = e.events();
        s->epochs_done = e.epochs_done();
        s->epochs_total = e.config().training.epochs;
        s->position = e.position();
        s->epoch_size = e.epoch_size();
        s->step = e.step();
        s->simulated_time_s = e.simulated_time_s();
        s->running_accuracy = e.running_accuracy();
        s->running_loss = e.running_loss();
        s->finished = e.finished();
        s->divergence = e.divergence();
        s->images_per_second = rate_;
        for (int k = 0; k < e.layer_count(); ++k)
            s->layers.push_back(e.picture(k));
        s->traces = e.traces();
        s->drift = drift_;
        s->energy = e.energy_report();
    } else if (rl_) {
        publish_rl(*s);
    } else if (gan_) {
        publish_gan(*s);
    }
    // Epochs of images (a supervised run, a GAN); a deep-RL run estimates its own from episodes.
    if (!s->rl) {
        const double left = double(s->epochs_total - s->epochs_done) * s->epoch_size - s->position;
        s->eta_s = rate_ > 0 ? left / rate_ : 0;
    }
    std::function<void()> notify;
    {
        std::lock_guard lock(snapshot_mutex_);
        snapshot_ = std::move(s);
        notify = publisher_;
    }
    if (notify) notify();
}

void Engine::publish_rl(Snapshot& s) const {
    const RlRun& r = *rl_;
    const rl::DqnAgent& a = r.agent();
    const rl::Environment& env = a.environment();
    s.config = r.config();
    s.dataset = r.dataset_description();
    RlPicture p;
    p.environment = env.name();
    p.state = env.state();
    p.action_count = env.action_count();
    p.episode_steps = a.in_episode() ? env.steps() : 0;
    p.episode_reward = a.in_episode() ? a.episode_reward() : 0;
    p.episode_rewards = a.episode_rewards();
    p.mean_reward_100 = a.mean_reward_100();
    p.stop_reward = a.config().stop_at_mean_reward;
    p.episode_budget = a.config().episodes;
    const Eigen::VectorXf q = a.q_values();
    p.q_values.assign(q.data(), q.data() + q.size());
    p.environment_steps = a.environment_steps();
    p.learning_steps = a.learning_steps();
    p.episode_updates = r.episode_updates();
    // Progress in episodes; the ETA from the steps an episode has taken so far.
    s.epochs_done = int(p.episode_rewards.size());
    s.epochs_total = p.episode_budget;
    s.position = p.episode_steps;
    s.epoch_size = env.max_steps();
    s.step = p.environment_steps;
    s.finished = r.finished();
    s.divergence = r.divergence();
    s.images_per_second = rate_;
    const double steps_per_episode =
        s.epochs_done ? double(p.environment_steps) / s.epochs_done : env.max_steps();
    s.eta_s = rate_ > 0 ? (s.epochs_total - s.epochs_done) * steps_per_episode / rate_ : 0;
    for (int k = 0; k < a.network().weight_count(); ++k)
        s.layers.push_back(picture_of(a.network().weight_layer(k)));
    if (r.samples() > 0) s.energy = r.energy_report();
    s.rl = std::move(p);
}

void Engine::publish_gan(Snapshot& s) {
    const GanRun& r = *gan_;
    const int b = r.batch_size();
    s.config = r.config();
    s.dataset = r.data().description;
    s.epochs_done = r.epochs_done();
    s.epochs_total = r.config().training.epochs;
    s.position = r.position() * b;
    s.epoch_size = r.steps_per_epoch() * b;
    s.step = r.images_trained();
    s.finished = r.finished();
    s.images_per_second = rate_;
    GanPicture p;
    p.image_height = r.data().train.height;
    p.image_width = r.data().train.width;
    const auto now = clock_type::now();
    if (!gan_samples_ ||
        (s.step != gan_samples_images_ && now - gan_samples_at_ >= std::chrono::seconds(1))) {
        gan_samples_ = std::make_shared<const Eigen::MatrixXf>(r.samples(GanRun::grid_images));
        gan_samples_images_ = s.step;
        gan_samples_at_ = now;
    }
    p.samples = gan_samples_;
    for (const GanEpoch& m : r.history()) {
        p.epoch_samples.push_back(m.samples);
        p.frechet_distance.push_back(m.frechet_distance);
        p.discriminator_loss.push_back(m.discriminator_loss);
        p.generator_loss.push_back(m.generator_loss);
        EpochMetrics u;
        u.epoch = m.epoch;
        u.device_updates = m.device_updates;
        u.fp_equivalent_updates = m.fp_equivalent_updates;
        p.epoch_updates.push_back(std::move(u));
    }
    if (const gan::FeatureClassifier* c = r.classifier()) {
        p.classifier_accuracy = c->test_accuracy();
        p.classifier = gan::FeatureClassifier::architecture;
    }
    const gan::Gan<float>& g = r.gan();
    p.generator_layers = g.generator().weight_count();
    for (const Network<float>* net : {&g.generator(), &g.discriminator()})
        for (int k = 0; k < net->weight_count(); ++k)
            s.layers.push_back(picture_of(net->weight_layer(k)));
    s.gan = std::move(p);
}

bool Engine::run_finished() const {
    if (rl_) return rl_->finished();
    if (gan_) return gan_->finished();
    return !experiment_ || experiment_->finished();
}

int Engine::advance(int n) {
    if (rl_) return rl_->play(n);
    // One alternating step at a time (100 real and 100 generated images in the presets): a
    // slice of training stays near its 20 ms.
    if (gan_) return gan_->train(1) * gan_->batch_size();
    return experiment_->train(n);
}

int Engine::boundaries_done() const {
    if (rl_) return int(rl_->agent().episode_rewards().size());
    if (gan_) return gan_->epochs_done();
    return experiment_->epochs_done();
}

void Engine::loop() {
    for (;;) {
        std::deque<std::function<void()>> todo;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return quit_ || !commands_.empty() || running_; });
            if (quit_) return;
            todo.swap(commands_);
        }
        for (auto& f : todo)
            f();
        if (!todo.empty()) publish(true);
        if (!running_ || (!experiment_ && !rl_ && !gan_)) continue;

        // Train a slice of about 20 ms (or what the throttle allows), then look at commands again:
        // pause and cancel answer within one slice.
        const auto t0 = clock_type::now();
        int chunk = 16;
        if (speed_ > 0) chunk = std::max(1, std::min(chunk, static_cast<int>(speed_ * 0.05)));
        long long trained = 0;
        const int epoch_before = boundaries_done();
        try {
            while (clock_type::now() - t0 < std::chrono::milliseconds(20)) {
                // A step command stops exactly at its count.
                const int n = advance(
                    stop_after_ >= 0 ? static_cast<int>(std::min<long long>(chunk, stop_after_))
                                     : chunk);
                trained += n;
                // A GAN's step may train past the count (a whole batch): it still stops.
                if (stop_after_ >= 0 && (stop_after_ = std::max(0LL, stop_after_ - n)) == 0) break;
                if (boundaries_done() != epoch_before || n == 0 || speed_ > 0) break;
            }
        } catch (const std::exception& e) {
            error_ = e.what();
            running_ = false;
        }
        const double dt = std::chrono::duration<double>(clock_type::now() - t0).count();
        if (speed_ > 0 && trained > 0) {
            const double want = trained / speed_;
            if (want > dt) std::this_thread::sleep_for(std::chrono::duration<double>(want - dt));
        }
        const double total = std::chrono::duration<double>(clock_type::now() - t0).count();
        if (total > 0 && trained > 0) {
            const double r = trained / total;
            rate_ = rate_ > 0 ? 0.8 * rate_ + 0.2 * r : r;
        }
        const bool epoch_ended = boundaries_done() != epoch_before;
        // A loss stuck at chance pauses the run once, at the epoch that shows it (a non-finite
        // value already threw above); playing on is the user's call.
        if (epoch_ended && experiment_ && !experiment_->divergence().empty()) {
            error_ = experiment_->divergence();
            running_ = false;
        }
        if (run_finished() || stop_after_ == 0 || (stop_at_epoch_ && epoch_ended)) {
            running_ = false;
            stop_after_ = -1;
            stop_at_epoch_ = false;
        }
        publish(!running_ || epoch_ended);
    }
}

} // namespace cbl
