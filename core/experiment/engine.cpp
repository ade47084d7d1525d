#include "core/experiment/engine.hpp"

#include "core/common/param_error.hpp"

#include <algorithm>

namespace cbl {

using clock_type = std::chrono::steady_clock;

Engine::Engine() : snapshot_(std::make_shared<Snapshot>()), thread_([this] { loop(); }) {}

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

void Engine::load(const ExperimentConfig& config, std::shared_ptr<const DataSplit> data) {
    command([this, config, data] {
        running_ = false;
        try {
            auto d = data;
            // Reuse the loaded data when only the experiment changes.
            if (!d)
                d = data_ && config.dataset == config_.dataset
                        ? data_
                        : std::make_shared<const DataSplit>(load_dataset(config.dataset));
            experiment_ = std::make_unique<Experiment>(config, d);
            drift_ = {};
            config_ = config;
            data_ = d;
            error_.clear();
        } catch (const std::exception& e) {
            error_ = e.what();
        }
    });
}

void Engine::play() {
    command([this] {
        running_ = experiment_ && !experiment_->finished();
        stop_after_ = -1;
        stop_at_epoch_ = false;
    });
}

void Engine::pause() {
    command([this] { running_ = false; });
}

void Engine::step_images(int n) {
    command([this, n] {
        running_ = experiment_ && !experiment_->finished();
        stop_after_ = n;
        stop_at_epoch_ = false;
    });
}

void Engine::step_epoch() {
    command([this] {
        running_ = experiment_ && !experiment_->finished();
        stop_after_ = -1;
        stop_at_epoch_ = true;
    });
}

void Engine::reset() {
    command([this] {
        running_ = false;
        if (data_) experiment_ = std::make_unique<Experiment>(config_, data_);
        drift_ = {};
    });
}

void Engine::set_speed(double images_per_second) {
    command([this, images_per_second] { speed_ = std::max(0.0, images_per_second); });
}

void Engine::post(std::function<void(Experiment&)> f) {
    command([this, f = std::move(f)] {
        if (!experiment_) return;
        try {
            f(*experiment_);
            error_.clear();
        } catch (const std::exception& e) {
            error_ = e.what();
        }
    });
}

void Engine::set_parameter(const std::string& path, const nlohmann::json& value,
                           std::function<void(const ParameterVerdict&)> on_verdict) {
    post([path, value, on_verdict](Experiment& e) {
        try {
            e.set_parameter(path, value);
        } catch (const std::exception& x) {
            if (!on_verdict) throw; // snapshot()->error
            on_verdict({false, x.what()});
            return;
        }
        if (on_verdict) on_verdict({true, ""});
    });
}

void Engine::pin_synapse(int layer, int row, int col) {
    post([=](Experiment& e) { e.pin(layer, row, col); });
}

void Engine::unpin_all() {
    post([](Experiment& e) { e.unpin_all(); });
}

void Engine::evaluate_drift(const std::vector<double>& times_s) {
    post([this, times_s](Experiment& e) { drift_ = e.drift_curve(times_s); });
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
    s->running = running_;
    if (experiment_) {
        const Experiment& e = *experiment_;
        s->config = e.config();
        s->dataset = e.data().description;
        s->history = e.history();
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
        s->images_per_second = rate_;
        const double left = double(s->epochs_total - s->epochs_done) * s->epoch_size - s->position;
        s->eta_s = rate_ > 0 ? left / rate_ : 0;
        for (int k = 0; k < e.layer_count(); ++k)
            s->layers.push_back(e.picture(k));
        s->traces = e.traces();
        s->drift = drift_;
        s->energy = e.energy_report();
    }
    std::function<void()> notify;
    {
        std::lock_guard lock(snapshot_mutex_);
        snapshot_ = std::move(s);
        notify = publisher_;
    }
    if (notify) notify();
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
        if (!running_ || !experiment_) continue;

        // Train a slice of about 20 ms (or what the throttle allows), then look at commands again:
        // pause and cancel answer within one slice.
        const auto t0 = clock_type::now();
        int chunk = 16;
        if (speed_ > 0) chunk = std::max(1, std::min(chunk, static_cast<int>(speed_ * 0.05)));
        long long trained = 0;
        const int epoch_before = experiment_->epochs_done();
        try {
            while (clock_type::now() - t0 < std::chrono::milliseconds(20)) {
                // A step command stops exactly at its count.
                const int n = experiment_->train(
                    stop_after_ >= 0 ? static_cast<int>(std::min<long long>(chunk, stop_after_))
                                     : chunk);
                trained += n;
                if (stop_after_ >= 0 && (stop_after_ -= n) <= 0) break;
                if (experiment_->epochs_done() != epoch_before || n == 0 || speed_ > 0) break;
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
        const bool epoch_ended = experiment_->epochs_done() != epoch_before;
        if (experiment_->finished() || stop_after_ == 0 || (stop_at_epoch_ && epoch_ended)) {
            running_ = false;
            stop_after_ = -1;
            stop_at_epoch_ = false;
        }
        publish(!running_ || epoch_ended);
    }
}

} // namespace cbl
