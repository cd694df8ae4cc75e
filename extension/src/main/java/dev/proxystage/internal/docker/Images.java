package dev.proxystage.internal.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.PullResponseItem;
import dev.proxystage.ProxyStageException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure an image is present before Testcontainers is asked to run it. A pull that makes no progress for
 * the stall timeout is abandoned, so an unreachable registry fails in seconds instead of a minutes-long
 * retry loop.
 */
final class Images {

    private static final Logger LOG = LoggerFactory.getLogger(Images.class);

    static void ensurePresent(DockerClient docker, String image, Duration stallTimeout) {
        if (isPresent(docker, image)) {
            return;
        }
        Duration stall = stallTimeout;
        long started = System.nanoTime();
        LOG.info("pulling {} (gives up after {} s without progress)", image, stall.toSeconds());
        AtomicLong lastProgress = new AtomicLong(System.nanoTime());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        ResultCallback.Adapter<PullResponseItem> callback = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(PullResponseItem item) {
                lastProgress.set(System.nanoTime());
                if (item.getErrorDetail() != null) {
                    failure.compareAndSet(null, new IllegalStateException(item.getErrorDetail().getMessage()));
                }
            }

            @Override
            public void onError(Throwable throwable) {
                failure.compareAndSet(null, throwable);
                done.countDown();
            }

            @Override
            public void onComplete() {
                done.countDown();
            }
        };
        try {
            docker.pullImageCmd(image).withAuthConfig(EngineClient.pullCredentials(image)).exec(callback);
            while (!done.await(200, TimeUnit.MILLISECONDS)) {
                if (System.nanoTime() - lastProgress.get() > stall.toNanos()) {
                    closeQuietly(callback);
                    throw notAvailable(image, "no answer from its registry within " + stall.toSeconds() + " s");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(callback);
            throw notAvailable(image, "interrupted while pulling");
        }
        if (failure.get() != null || !isPresent(docker, image)) {
            String cause = failure.get() == null ? "the pull finished without it" : String.valueOf(failure.get().getMessage());
            throw notAvailable(image, "pull failed: " + firstLine(cause));
        }
        LOG.info("pulled {} in {} ms", image, (System.nanoTime() - started) / 1_000_000);
    }

    private static boolean isPresent(DockerClient docker, String image) {
        try {
            docker.inspectImageCmd(image).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    private static ProxyStageException notAvailable(String image, String why) {
        return new ProxyStageException("image '" + image + "' is not present locally and could not be pulled (" + why
                + "); pull or build it, or run offline with -Dproxystage.profile=offline and the images from scripts/build-offline-images.sh");
    }

    private static String firstLine(String text) {
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // the pull is being abandoned anyway
        }
    }
}
