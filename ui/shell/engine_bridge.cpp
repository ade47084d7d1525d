#include "ui/shell/engine_bridge.hpp"

#include <QMetaObject>

namespace cbl::ui {

EngineBridge::EngineBridge(QObject* parent, int threads) : QObject(parent), engine_(threads) {
    qRegisterMetaType<cbl::SnapshotPtr>("cbl::SnapshotPtr");
    engine_.set_publisher([this] {
        // At most one delivery in flight: a slow GUI sees fewer, newer snapshots.
        if (!pending_.exchange(true))
            QMetaObject::invokeMethod(this, &EngineBridge::deliver, Qt::QueuedConnection);
    });
}

void EngineBridge::deliver() {
    pending_ = false;
    Q_EMIT snapshotReady(engine_.snapshot());
}

} // namespace cbl::ui
