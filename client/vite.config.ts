import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

const backend = 'http://127.0.0.1:8000';

export default defineConfig({
  base: '/',
  plugins: [preact()],
  build: {
    outDir: '../static/app',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
  },
  server: {
    port: 5173,
    strictPort: false,
    proxy: {
      '/api': { target: backend, changeOrigin: false },
      '/auth': { target: backend, changeOrigin: false },
      '/healthz': { target: backend, changeOrigin: false },
      '/socket.io': { target: backend, ws: true, changeOrigin: false },
    },
  },
});
